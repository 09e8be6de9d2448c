"""The HTTP server's own edges: uvicorn's answers in the JSON error shape, slow clients cut off.

uvicorn answers a request it cannot parse (a malformed header, a bad
``Content-Length``) with a plain-text 400 before the application sees it, and
waits as long as a client likes for the request's headers. :class:`JsonH11Protocol`
sends that 400 as ``{"error": {"file", "field", "message"}}`` like every other error, and
closes a connection whose request headers have not arrived within
``header_seconds`` with a 408 in the same shape (a slow-loris client cannot hold
connections open).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["JsonH11Protocol", "HEADER_SECONDS"]

#: Time a client has to send its request line and headers.
HEADER_SECONDS = 10.0


def _body(message: str) -> bytes:
    return json.dumps({"error": {"file": None, "field": None, "message": message}}).encode()


class JsonH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with JSON errors and a header timeout."""

    header_seconds = HEADER_SECONDS
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer = self.loop.call_later(self.header_seconds, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _headers_late(self) -> None:
        if self.cycle is not None or self.transport.is_closing():
            return  # a request is under way (or done): its own limits apply
        self._send_error(408, f"the request did not arrive within {self.header_seconds:g} s")

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def send_400_response(self, msg: str) -> None:
        self._send_error(400, f"{msg.rstrip('.')}: the request is not valid HTTP")

    def _send_error(self, status: int, message: str) -> None:
        body = _body(message)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers)))
            self.transport.write(self.conn.send(h11.Data(data=body)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:  # the connection is past the point of a response
            pass
        self.transport.close()
