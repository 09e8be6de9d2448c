"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Each command module registers its commands on the shared ``app`` when imported.
"""

from goldenbridge.cli import (
    bench,  # noqa: F401  (registers bench)
    core,  # noqa: F401  (registers demo, evaluate, validate, scenarios)
    deterrence,  # noqa: F401  (registers deterrence)
    forecast,  # noqa: F401  (registers forecast, backtest)
    history,  # registers runs; wraps the analysis commands below to save their runs
    importing,  # noqa: F401  (registers import)
    negotiate,  # noqa: F401  (registers negotiate)
    optimize,  # noqa: F401  (registers optimize)
    report,  # noqa: F401  (registers report)
    sensitivity,  # noqa: F401  (registers sensitivity)
    serve,  # noqa: F401  (registers serve)
    track,  # noqa: F401  (registers baserate, hindcast)
    update,  # noqa: F401  (registers update)
)
from goldenbridge.cli.common import app

history.install(app)  # after every command module: saves evaluate, optimize, ... runs

__all__ = ["app"]
