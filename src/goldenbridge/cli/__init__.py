"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Each command module registers its commands on the shared ``app`` when imported.
"""

from goldenbridge.cli import bench, core  # noqa: F401  (registers the commands)
from goldenbridge.cli.common import app

__all__ = ["app"]
