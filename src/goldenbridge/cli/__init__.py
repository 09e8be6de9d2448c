"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Each command module registers its commands on the shared ``app`` when imported.
"""

from goldenbridge.cli import (
    core,  # noqa: F401  (registers demo, evaluate, validate, scenarios)
    deterrence,  # noqa: F401  (registers deterrence)
    sensitivity,  # noqa: F401  (registers sensitivity)
    update,  # noqa: F401  (registers update)
)
from goldenbridge.cli.common import app

__all__ = ["app"]
