"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Each command module registers its commands on the shared ``app`` when imported;
they are imported when ``app`` is first asked for, so that ``goldenbridge
--version`` (answered by :func:`main` before any of them) imports nothing heavy.
"""

from __future__ import annotations

import gc
import importlib
import sys

TYPE_CHECKING = False  # typing itself takes ~50 ms to import
if TYPE_CHECKING:
    from typing import Any

    from goldenbridge.cli.common import app

#: The command modules (each registers its commands on ``app`` when imported).
COMMANDS = (
    "bench",  # bench
    "core",  # demo, evaluate, validate, scenarios
    "deterrence",  # deterrence
    "forecast",  # forecast, backtest
    "importing",  # import
    "negotiate",  # negotiate
    "optimize",  # optimize
    "report",  # report
    "sensitivity",  # sensitivity
    "serve",  # serve
    "track",  # baserate, hindcast
    "update",  # update
    "history",  # runs; its install() wraps the analysis commands above to save their runs
)

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    """``app``, with every command registered."""
    if name != "app":
        raise AttributeError(f"module 'goldenbridge.cli' has no attribute {name!r}")
    for module in COMMANDS:
        importlib.import_module(f"goldenbridge.cli.{module}")
    from goldenbridge.cli.common import app
    from goldenbridge.cli.history import install

    install(app)  # after every command module: saves evaluate, optimize, ... runs
    globals()["app"] = app  # once: later lookups find it without wrapping again
    return app


def main() -> None:
    """The ``goldenbridge`` command (the console script and ``python -m goldenbridge``)."""
    if sys.argv[1:] == ["--version"]:  # at once: no numpy, numba or pydantic to import
        from goldenbridge import __version__

        sys.stdout.write(f"goldenbridge {__version__}\n")
        return
    # Start-up creates some 10^5 long-lived objects (modules, classes, typer's and
    # pydantic's tables) that the cyclic collector would traverse again and again: with
    # it off until the commands are registered, then those objects frozen out of its
    # view, every command starts about 0.14 s sooner (`validate russia-2021` 0.61 ->
    # 0.47 s, best of 5 interleaved; docs/performance-log.md, stop 34). It is on for the command.
    gc.disable()
    try:
        app = __getattr__("app")
    finally:
        gc.freeze()
        gc.enable()
    app(prog_name="goldenbridge")
