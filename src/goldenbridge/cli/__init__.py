"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Each command module registers its commands on the shared ``app`` when imported.
"""

from goldenbridge.cli import (
    bench,  # noqa: F401  (registers bench)
    core,  # noqa: F401  (registers demo, evaluate, validate, scenarios)
    deterrence,  # noqa: F401  (registers deterrence)
    forecast,  # noqa: F401  (registers forecast, backtest)
    importing,  # noqa: F401  (registers import)
    negotiate,  # noqa: F401  (registers negotiate)
    optimize,  # noqa: F401  (registers optimize)
    sensitivity,  # noqa: F401  (registers sensitivity)
    serve,  # noqa: F401  (registers serve)
    update,  # noqa: F401  (registers update)
)
from goldenbridge.cli.common import app

__all__ = ["app"]
