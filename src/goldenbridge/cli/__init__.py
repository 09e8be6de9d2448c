"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Each command module registers its commands on the shared ``app`` when imported.
"""

from goldenbridge.cli import (
    bench,  # noqa: F401  (registers bench)
    core,  # noqa: F401  (registers demo, evaluate, validate, scenarios)
    deterrence,  # noqa: F401  (registers deterrence)
    negotiate,  # noqa: F401  (registers negotiate)
    optimize,  # noqa: F401  (registers optimize)
    sensitivity,  # noqa: F401  (registers sensitivity)
    serve,  # noqa: F401  (registers serve)
    track,  # noqa: F401  (registers baserate, hindcast)
    update,  # noqa: F401  (registers update)
)
from goldenbridge.cli.common import app

__all__ = ["app"]
