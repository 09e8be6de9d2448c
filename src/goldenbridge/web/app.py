"""The web explorer's FastAPI application: the page, the JSON API, limits and error handling.

Presentation only: the model runs in :mod:`goldenbridge.analysis` behind the
single compute worker of :mod:`goldenbridge.web.compute`. Every error reaches
the client as ``{"error": {"file": ..., "field": ..., "message": ...}}`` (the CLI's
``--json`` shape) and never as a stack trace. Nothing is fetched from outside:
plotly.js is served from the installed ``plotly`` package, and FastAPI's interactive
docs (which load from a CDN) are off; the OpenAPI schema is at ``/api/openapi.json``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import goldenbridge as gb
from goldenbridge.scenario import InputError, builtin_names
from goldenbridge.web.api import router
from goldenbridge.web.compute import AnalysisFailed, ComputeTimeout
from goldenbridge.web.exports import router as exports_router
from goldenbridge.web.scenarios import UnknownScenario
from goldenbridge.web.state import Limits, WebState, error_body

__all__ = ["Limits", "create_app"]

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("goldenbridge.web")

_SECURITY_HEADERS = {
    # plotly sets inline styles on its SVG; everything else comes from this server.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?")


class _HostCheck:
    """Answer 400 (the JSON error shape) to a request whose Host header names none of
    ``allowed_hosts``: a server on loopback answers to loopback names only, which stops
    a page on another site from reaching it through DNS rebinding."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "")
            # exactly "name", "name:port" or "[v6 address]:port" -- nothing after the port
            # ("[::1]evil.com", "localhost:80@evil.com" are refused); the port is not checked
            match = _HOST.fullmatch(host)
            name = match.group(1) if match else ""
            if name.lower() not in self.allowed:
                message = f"this server answers to {', '.join(sorted(self.allowed))} only"
                response = JSONResponse(error_body("headers.host", message), status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _BodyLimit:
    """Answer 413 to a request body over ``max_bytes`` (declared or streamed), 400 to a
    malformed ``Content-Length``, 415 to a POST that is not JSON, and 408 to a client
    that takes longer than ``seconds`` to send its body."""

    def __init__(self, app: ASGIApp, max_bytes: int, seconds: float = 10.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds

    def _too_large(self) -> JSONResponse:
        return JSONResponse(
            error_body(
                None,
                f"request body too large: this server accepts at most {self.max_bytes:,} bytes",
            ),
            status_code=413,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.getlist("content-length")
        if declared and (
            len(set(declared)) != 1 or not declared[0].isascii() or not declared[0].isdigit()
        ):
            message = "malformed Content-Length header (expected one whole number of bytes)"
            await JSONResponse(error_body("headers.content-length", message), 400)(
                scope, receive, send
            )
            return
        if declared and int(declared[0]) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if (
            scope["method"] == "POST"
            and kind not in ("application/json", "")
            and not (kind.startswith("application/") and kind.endswith("+json"))
        ):
            message = f"expected Content-Type: application/json (got {kind!r})"
            await JSONResponse(error_body("headers.content-type", message), 415)(
                scope, receive, send
            )
            return
        received = 0
        body_done = False

        async def limited() -> Message:
            nonlocal received, body_done
            if body_done:  # afterwards only a disconnect can come: no time limit
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                raise HTTPException(
                    408, f"the request body did not arrive within {self.seconds:g} s"
                ) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(
                        413,
                        "request body too large: this server accepts at "
                        f"most {self.max_bytes:,} bytes",
                    )
            return message

        await self.app(scope, limited, send)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def scenario_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"error": exc.as_dict()}, status_code=422)

    @app.exception_handler(UnknownScenario)
    async def unknown_scenario(request: Request, exc: UnknownScenario) -> JSONResponse:
        return JSONResponse(error_body(exc.path, exc.message), status_code=404)

    @app.exception_handler(ComputeTimeout)
    async def timeout(request: Request, exc: ComputeTimeout) -> JSONResponse:
        return JSONResponse(error_body(None, str(exc)), status_code=503)

    @app.exception_handler(AnalysisFailed)
    async def analysis_failed(request: Request, exc: AnalysisFailed) -> JSONResponse:
        log.error("analysis failed on %s: %s", request.url.path, exc)
        return JSONResponse(error_body(None, "internal error (see the server's log)"), 500)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        path, message = request_error(list(exc.errors()))
        return JSONResponse(error_body(path, message), status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(None, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return JSONResponse(
            error_body(None, "internal error (see the server's log)"), status_code=500
        )


#: How pydantic names the members of a union in an error's location.
_UNION_MEMBERS = {
    "float": "a number",
    "int": "an integer",
    "str": "a string",
    "dict[str,any]": "an object",
}


def request_error(errors: list[Any]) -> tuple[str, str]:
    """The (field path, message) of pydantic's errors about a request body.

    The path leaves out pydantic's ``body`` prefix and the union-member tags it
    appends (``offers.x.share.float``): a value that fits no member of a union
    is one error, "should be a number or a string", at the field itself.
    """
    if not errors:
        return "", "invalid request"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    if first.get("type") == "json_invalid":
        reason = first.get("ctx", {}).get("error", "")
        where = f" at character {loc[0]}" if loc else ""
        return "", f"the request body is not valid JSON{where}: {reason}".rstrip(": ")
    tags = [str(e["loc"][-1]) for e in errors if list(e["loc"][:-1]) == list(first["loc"][:-1])]
    if len(tags) > 1 and all(t in _UNION_MEMBERS for t in tags):
        return ".".join(loc[:-1]), "should be " + " or ".join(_UNION_MEMBERS[t] for t in tags)
    return ".".join(loc), str(first.get("msg", "invalid request")).removeprefix("Value error, ")


def plotly_js() -> Path:
    """The plotly.js bundle shipped inside the installed ``plotly`` Python package."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def create_app(
    scenario: str | gb.Scenario | None = None,
    *,
    limits: Limits = Limits(),  # noqa: B008 (frozen)
    allowed_hosts: list[str] | None = None,
    start_analyses: bool = False,
) -> FastAPI:
    """The web explorer as an ASGI application.

    Parameters
    ----------
    scenario : str or Scenario, optional
        The scenario the page opens with: a built-in name, a file path (read
        once, here, by whoever starts the server) or a loaded scenario.
        Defaults to ``russia-2021``.
    limits : Limits
        Body, sample, offer and compute-time limits.
    allowed_hosts : list of str, optional
        Host headers to accept (``goldenbridge serve`` passes the loopback
        names when bound to loopback, which stops DNS-rebinding pages from
        reaching the API). None accepts any.
    start_analyses : bool
        Start the analysis process in the background at startup, so that the
        page's first optimisation does not wait for it; otherwise it starts
        when first needed.
    """
    state = WebState(limits=limits, default_scenario="")
    if isinstance(scenario, gb.Scenario):
        state.default_scenario = state.scenarios.add(scenario)
    elif scenario is None or scenario in builtin_names():
        state.default_scenario = scenario or _first_builtin()
        state.scenarios.builtin(state.default_scenario)
    else:
        state.default_scenario = state.scenarios.add(gb.load(scenario))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_analyses:
            threading.Thread(target=state.analyses.start, daemon=True).start()
        yield
        state.shutdown()

    app = FastAPI(
        title="goldenbridge",
        summary="Crisis bargaining analysis: would they take the bridge rather than fight?",
        version=gb.__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.web = state
    _add_error_handlers(app)
    app.include_router(router)
    app.include_router(exports_router)  # /api/brief, /api/runs

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=_SECURITY_HEADERS)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    async def plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(_BodyLimit, max_bytes=limits.max_body_bytes, seconds=limits.body_seconds)
    if allowed_hosts is not None:
        app.add_middleware(_HostCheck, allowed_hosts=allowed_hosts)
    return app


def _first_builtin() -> str:
    names = builtin_names()
    return "russia-2021" if "russia-2021" in names else names[0]
