"""The web server's edges (issue 16, part 2): Host headers, malformed and slow requests,
content types, strict numbers, the web's tighter budget, uvicorn's own errors in the JSON
shape, and no orphaned analysis process after ``serve`` is killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from goldenbridge.web import Limits, create_app
from goldenbridge.web.compute import AnalysisProcess
from goldenbridge.web.server import JsonH11Protocol

LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"]


@pytest.fixture(scope="module")
def client():
    app = create_app("fearon-1d", allowed_hosts=LOOPBACK)
    with TestClient(app, raise_server_exceptions=False, base_url="http://localhost") as c:
        yield c


@pytest.mark.parametrize(
    "host",
    [
        "[::1]evil.com",
        "localhost:80@evil.com",
        "localhost.evil.com",
        "evil.com:80",
        "localhost:80:81",
        "localhost ",
        "",
        "[::1]:80x",
    ],
)
def test_host_check_refuses_look_alikes(client, host):
    response = client.get("/api/info", headers={"host": host})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "headers.host"


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]:8000"])
def test_host_check_accepts_loopback(client, host):
    assert client.get("/api/info", headers={"host": host}).status_code == 200


def test_malformed_content_length_is_a_400_that_says_so(client):
    for value in (b"12abc", b"-1", b"1e3", "١٢".encode()):
        response = client.post(
            "/api/evaluate",
            content=b"{}",
            headers={"content-length": value, "content-type": "application/json"},
        )
        assert response.status_code == 400, value
        assert "Content-Length" in response.json()["error"]["message"]


def test_content_type_errors_say_so(client):
    body = json.dumps({"scenario": "fearon-1d"})
    response = client.post("/api/evaluate", content=body, headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("field", "value"), [("samples", True), ("samples", "2000"), ("seed", False), ("samples", 2.5)]
)
def test_numbers_are_not_booleans_or_text(client, field, value):
    response = client.post("/api/evaluate", json={"scenario": "fearon-1d", field: value})
    assert response.status_code == 422 and response.json()["error"]["field"] == field


def test_the_web_budget_is_tighter_than_the_command_line():
    limits = Limits(max_samples=10_000_000, max_work=1_000_000)
    with TestClient(create_app("fearon-1d", limits=limits), raise_server_exceptions=False) as c:
        response = c.post("/api/evaluate", json={"scenario": "fearon-1d", "samples": 500_000})
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["field"] == "samples" and "1,000,000" in error["message"]
        ok = c.post("/api/evaluate", json={"scenario": "fearon-1d", "samples": 2000})
        assert ok.status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Quick(JsonH11Protocol):
    header_seconds = 1.0


@pytest.fixture(scope="module")
def live_server():
    port = _free_port()
    config = uvicorn.Config(
        create_app("fearon-1d"), host="127.0.0.1", port=port, log_level="error", http=_Quick
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def _raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_unparseable_requests_get_the_json_error_shape(live_server):
    for request in (
        b"GET /api/info HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET /api/info HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    ):
        head, _, body = _raw(live_server, request).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), head
        assert b"application/json" in head
        assert "not valid HTTP" in json.loads(body)["error"]["message"]


def test_a_slow_client_is_cut_off(live_server):
    started = time.perf_counter()
    answer = _raw(live_server, b"GET /api/info HTTP/1.1\r\nHost: x\r\n", wait=10)  # no end
    assert time.perf_counter() - started < 5
    head, _, body = answer.partition(b"\r\n\r\n")
    assert (
        head.startswith(b"HTTP/1.1 408")
        and "did not arrive" in json.loads(body)["error"]["message"]
    )
    assert httpx.get(f"http://127.0.0.1:{live_server}/api/info").status_code == 200


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_serve_leaves_no_analysis_process():
    port = _free_port()
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "goldenbridge", "serve", "fearon-1d", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        children: list[int] = []
        deadline = time.time() + 120
        while time.time() < deadline and not children:
            time.sleep(0.5)
            children = _children(server.pid)
        assert children, "the analysis process did not start"

        def busy() -> None:  # a long optimisation, so that the analysis process is mid-job
            try:
                httpx.post(
                    f"http://127.0.0.1:{port}/api/optimize",
                    json={"scenario": "russia-2021", "samples": 100_000},
                    timeout=60,
                )
            except httpx.HTTPError:
                pass

        threading.Thread(target=busy, daemon=True).start()
        time.sleep(4)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(c) for c in children):
            time.sleep(0.2)
        assert not any(_alive(c) for c in children)
    finally:
        if server.poll() is None:
            server.kill()


# ------------------------------------------------------------------ client disconnect


def test_a_cancelled_analysis_stops_its_process_at_once():
    """Cancelling the wait (the client went away) kills the running job's process within
    a fraction of a second, not at the time limit; the next job gets a fresh process."""
    analyses = AnalysisProcess(time_limit=600)
    analyses.start()
    first = analyses._process

    async def main():
        job = asyncio.ensure_future(analyses.run(time.sleep, 600))
        await asyncio.sleep(0.3)  # the job is running in the process
        job.cancel()
        started = time.perf_counter()
        while first.is_alive() and time.perf_counter() - started < 5:
            await asyncio.sleep(0.02)
        stopped_after = time.perf_counter() - started
        return stopped_after, (await analyses.run(max, 3, 4)).value

    stopped_after, answer = asyncio.run(main())
    assert not first.is_alive() and stopped_after < 2
    assert analyses.cancelled == 1 and answer == 4 and analyses._process is not first
    analyses.shutdown()


@pytest.mark.slow
def test_a_disconnected_client_stops_its_analysis():
    """End to end on a real server: a client asks for a long optimisation and hangs up;
    the analysis process is stopped within a second, and the server answers the next
    request at once."""
    app = create_app("fearon-1d")
    state = app.state.web
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", http=_Quick)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        state.analyses.start()  # so that the wait below is the job's, not the start's
        body = json.dumps({"scenario": "fearon-1d", "samples": 1_000_000}).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(
                b"POST /api/optimize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )
            for _ in range(100):  # until the analysis is running
                if state.running:
                    break
                time.sleep(0.05)
            assert state.running, "the analysis did not start"
            time.sleep(0.3)
        hung_up = time.perf_counter()
        while (state.running or state.analyses.cancelled == 0) and (
            time.perf_counter() - hung_up < 5
        ):
            time.sleep(0.05)
        assert state.analyses.cancelled == 1 and not state.running and not state.waiting
        assert time.perf_counter() - hung_up < 2
        answer = httpx.post(
            f"http://127.0.0.1:{port}/api/sensitivity",
            json={"scenario": "fearon-1d", "n": 64},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
    finally:
        server.should_exit = True
        thread.join(10)
