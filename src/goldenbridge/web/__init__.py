"""The web explorer (``goldenbridge serve``): move the offer, watch the odds.

Needs the ``web`` extra (FastAPI, uvicorn, plotly). :func:`create_app` builds
the ASGI application; :mod:`goldenbridge.web.api` holds the JSON API. Both are
imported on first use, so that ``python -m goldenbridge.web.bench`` can name a
missing extra in one line before anything imports FastAPI.
"""

from typing import Any

__all__ = ["Limits", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from goldenbridge.web.app import create_app

        return create_app
    if name == "Limits":
        from goldenbridge.web.state import Limits

        return Limits
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
