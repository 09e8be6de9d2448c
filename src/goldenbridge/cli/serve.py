"""``goldenbridge serve``: the web explorer on this machine (127.0.0.1 unless asked)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Annotated

import typer

from goldenbridge.cli.common import app, err, fail, user_errors

LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


def is_loopback(host: str) -> bool:
    """True for a host name or address that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Built-in name or a YAML/JSON file to open with (default russia-2021)."
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but loopback exposes the server.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    max_samples: Annotated[
        int, typer.Option(min=1, help="Most worlds one request may sample.")
    ] = 1_000_000,
) -> None:
    """Serve the web explorer: move the offer, watch the odds."""
    try:
        import uvicorn

        from goldenbridge.web import Limits, create_app
        from goldenbridge.web.server import JsonH11Protocol
    except ImportError as exc:
        fail(
            f"the web explorer needs the web extra ({exc.name} is missing): "
            "pip install 'goldenbridge[web]'"
        )
    with user_errors():
        web_app = create_app(
            scenario,
            limits=Limits(max_samples=max_samples),
            allowed_hosts=LOOPBACK_NAMES if is_loopback(host) else None,
            start_analyses=True,
        )
    try:  # a clear error now rather than uvicorn's after the banner
        with socket.create_server((host.strip("[]"), port)):
            pass
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    if not is_loopback(host):
        err.print(f"warning: serving on {host}: reachable from other machines", markup=False)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"goldenbridge: http://{shown}:{port}/ (Ctrl+C stops)", markup=False)
    uvicorn.run(
        web_app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        http=JsonH11Protocol,  # type: ignore[arg-type]
    )
