"""The web explorer (``goldenbridge serve``): move the offer, watch the odds.

Needs the ``web`` extra (FastAPI, uvicorn, plotly). :func:`create_app` builds
the ASGI application; :mod:`goldenbridge.web.api` holds the JSON API.
"""

from goldenbridge.web.app import create_app
from goldenbridge.web.state import Limits

__all__ = ["Limits", "create_app"]
