"""Benchmark of the web explorer: update latency and a concurrent load, over loopback.

``python -m goldenbridge.web.bench`` starts ``goldenbridge serve`` on a free
loopback port and measures

- update latency: one request per slider step (a new offer on the cached
  population, as the page sends while a slider moves), sequentially: round trip
  and compute time (the server's ``Server-Timing``), p50/p95;
- load: ``--concurrent`` evaluate requests sent at once, every one of which
  must succeed: p50/p95/max latency and throughput;
- with ``--browser`` (needs Debian's chromium at /usr/bin/chromium): the time
  from a key press on a slider to the new P(deal) on the page, in chromium (a
  preview on a large sample), to the charts, and after a rest to the whole
  sample's odds; the server's compute time of those requests by sample size.

The tests use :func:`local_server` to run the real server the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fastapi  # noqa: F401  (the server it times)
    import httpx
    import uvicorn  # noqa: F401
except ModuleNotFoundError as exc:  # one line with the install command, before any work
    if __name__ == "__main__":
        print(
            f"error: python -m goldenbridge.web.bench needs {exc.name}, which is not installed: "
            "pip install 'goldenbridge[web]'",
            file=sys.stderr,
        )
        sys.exit(2)
    raise
import numpy as np

import goldenbridge as gb

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "local_server", "free_port", "main"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_server(
    *args: str, threading_layer: str | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """Run ``goldenbridge serve ARGS`` on a free loopback port; yield its base URL.

    ``threading_layer`` sets ``NUMBA_THREADING_LAYER`` for the server
    (``workqueue`` is the one that aborts on concurrent entry).
    """
    port = free_port()
    package_root = str(Path(gb.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]),
    }
    if threading_layer:
        env["NUMBA_THREADING_LAYER"] = threading_layer
    command = [sys.executable, "-m", "goldenbridge", "serve", *args, "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(process, url, timeout, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], url: str, timeout: float, log: Any) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited ({process.returncode}): {log.read().decode()}")
        try:
            if httpx.get(f"{url}/api/info", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout:g} s")


def server_timing(response: httpx.Response) -> dict[str, float]:
    """The ``Server-Timing`` header's durations, in seconds (``compute``, ``queue``, and
    ``sample`` when the worlds were sampled for the request)."""
    timing = {}
    for part in response.headers.get("server-timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if duration:
            timing[name] = float(duration) / 1000
    return timing


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "max_ms": float(ms.max()),
    }


def _slider_offers(scenario: gb.Scenario, count: int) -> list[dict[str, float | str]]:
    """Offers that move the first continuous issue across its scale, as a slider would."""
    issue = next(i for i in scenario.issues if not i.discrete)
    steps = np.linspace(issue.min, issue.max, count)
    return [{issue.name: float(v)} for v in steps]


def measure_updates(url: str, body: dict[str, Any], offers: list[dict]) -> dict[str, Any]:
    """Sequential evaluate requests, one offer each, on a warm population."""
    round_trips, compute = [], []
    with httpx.Client(base_url=url, timeout=60) as client:
        for offer in offers:
            t0 = time.perf_counter()
            r = client.post("/api/evaluate", json={**body, "offers": {"current": offer}})
            round_trips.append(time.perf_counter() - t0)
            r.raise_for_status()
            compute.append(server_timing(r)["compute"])
    return {
        "requests": len(offers),
        "round_trip": _percentiles(round_trips),
        "compute": _percentiles(compute),
    }


async def _concurrent(url: str, body: dict[str, Any], offers: list[dict]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=len(offers), max_keepalive_connections=len(offers))
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:

        async def one(offer: dict) -> tuple[httpx.Response, float]:
            t0 = time.perf_counter()
            r = await client.post("/api/evaluate", json={**body, "offers": {"current": offer}})
            return r, time.perf_counter() - t0

        t0 = time.perf_counter()
        results = await asyncio.gather(*(one(o) for o in offers))
        wall = time.perf_counter() - t0
    ok = [r for r, _ in results if r.status_code == 200]
    return {
        "requests": len(offers),
        "succeeded": len(ok),
        "statuses": sorted({r.status_code for r, _ in results}),
        "wall_s": wall,
        "throughput_per_s": len(offers) / wall,
        "latency": _percentiles([t for _, t in results]),
        "compute": _percentiles([server_timing(r)["compute"] for r in ok]) if ok else None,
        "documents": [r.json() if r.status_code == 200 else None for r, _ in results],
    }


def measure_load(url: str, body: dict[str, Any], offers: list[dict]) -> dict[str, Any]:
    """Send every offer as its own evaluate request, all at once; latencies from the start."""
    return asyncio.run(_concurrent(url, body, offers))


def measure_browser(
    url: str, presses: int, rests: int = 5, samples: int | None = None
) -> dict[str, Any]:
    """Key presses on the first slider in chromium: time from the slider's input event to
    the frame that paints the new odds (measured in the page: what a person feels; a
    preview on a large sample), until the page shows them as the driver sees it (its
    round trips included), until the charts are redrawn too (a frame later), and, for
    ``rests`` presses each followed by a rest, until the whole sample's odds replace the
    preview, and from the input event to the painted odds of a press made while the whole
    sample of the one before is being computed. With the server's compute time of each
    evaluate request the page sent for the slider, by sample size."""
    from playwright.sync_api import sync_playwright

    shown = "() => document.getElementById('{}').dataset.seq === String(state.seq)"
    whole = "() => !state.preview && " + shown.format("p-deal")[6:]
    numbers, charts, wholes, during = [], [], [], []
    # In the page: from the slider's input event to the frame that paints the new odds
    # (the frame's requestAnimationFrame callback runs just before its paint), without
    # the driver's round trips.
    watch = """slider => {
      window.feltMs = []; let input = null;
      slider.addEventListener("input", (e) => { input = e.timeStamp; }, { capture: true });
      const odds = document.getElementById("p-deal");
      new MutationObserver(() => {
        if (input === null || odds.dataset.seq !== String(state.seq)) return;
        const t0 = input; input = null;
        requestAnimationFrame(() => window.feltMs.push(performance.now() - t0));
      }).observe(odds, { attributes: true, childList: true, subtree: true });
      window.wholeAsked = 0;  // requests for the whole sample of the current offer
      const send = window.fetch;
      window.fetch = (path, init) => {
        const body = init && init.body ? JSON.parse(init.body) : {};
        if (body.offers && body.offers.current && body.samples === state.samples) {
          window.wholeAsked += 1;
        }
        return send(path, init);
      };
    }"""
    compute: dict[int, list[float]] = {}

    def timed(response: Any) -> None:
        request = response.request
        if not request.url.endswith("/api/evaluate") or response.status != 200:
            return
        body = json.loads(request.post_data or "{}")
        if "current" in (body.get("offers") or {}):
            timing = server_timing(httpx.Response(200, headers=response.headers))
            if "sample" not in timing:  # not a population's first request (sampling it)
                compute.setdefault(int(body["samples"]), []).append(timing["compute"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        page.wait_for_selector("#odds-chart[data-seq]")
        if samples is not None:  # the sample-size field, as a person sets it
            page.fill("#samples", str(samples))
            page.press("#samples", "Tab")
            page.wait_for_function(f"() => state.samples === {samples}")
        page.wait_for_function(
            "() => state.current && state.current.samples === state.samples && " + whole[6:],
            timeout=300_000,
        )  # the whole sample of the start
        page.on("response", timed)
        slider = page.locator("#issues input[type=range]").first
        slider.evaluate(watch)
        slider.focus()
        for _ in range(presses):
            t0 = time.perf_counter()
            slider.press("ArrowRight")
            page.wait_for_function(shown.format("p-deal"), polling="raf")
            numbers.append(time.perf_counter() - t0)
            page.wait_for_function(shown.format("odds-chart"), polling="raf")
            charts.append(time.perf_counter() - t0)
        for _ in range(rests):
            page.wait_for_function(whole, timeout=300_000)
            t0 = time.perf_counter()
            slider.press("ArrowLeft")
            page.wait_for_function(whole, polling="raf", timeout=300_000)
            wholes.append(time.perf_counter() - t0)
        felt = [ms / 1000 for ms in page.evaluate("window.feltMs")][:presses]
        for _ in range(rests):  # a move while the whole sample of the last one computes
            page.wait_for_function(whole, timeout=300_000)
            asked = page.evaluate("window.wholeAsked")
            slider.press("ArrowLeft")
            page.wait_for_function(f"() => window.wholeAsked > {asked}", timeout=300_000)
            before = page.evaluate("window.feltMs.length")
            slider.press("ArrowRight")
            page.wait_for_function(f"() => window.feltMs.length > {before}", timeout=300_000)
            during.append(page.evaluate(f"window.feltMs[{before}]") / 1000)
        preview = int(page.evaluate("state.previewSamples"))
        browser.close()
    return {
        "presses": presses,
        "felt": _percentiles(felt),
        "numbers": _percentiles(numbers),
        "charts": _percentiles(charts),
        "rests": rests,
        "whole": _percentiles(wholes) if wholes else None,
        "during_whole": _percentiles(during) if during else None,
        "preview_samples": preview,
        "compute": {str(n): _percentiles(t) | {"requests": len(t)} for n, t in compute.items()},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print a summary (or JSON) and return the figures."""
    parser = argparse.ArgumentParser(prog="python -m goldenbridge.web.bench")
    parser.add_argument("--scenario", default="russia-2021")
    parser.add_argument("--samples", type=int, default=None, help="default: the scenario's")
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--browser", action="store_true", help="also time the page in chromium")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)

    scenario = gb.load(options.scenario)
    samples = options.samples or scenario.samples
    body = {"scenario": options.scenario, "samples": samples, "seed": scenario.seed}
    figures: dict[str, Any] = {
        "scenario": options.scenario,
        "samples": samples,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],  # other work on the machine skews timings
    }
    with local_server(options.scenario) as url:
        t0 = time.perf_counter()
        httpx.post(f"{url}/api/evaluate", json=body, timeout=300).raise_for_status()
        figures["first_request_s"] = time.perf_counter() - t0  # sampling the population
        figures["updates"] = measure_updates(url, body, _slider_offers(scenario, options.updates))
        load = measure_load(url, body, _slider_offers(scenario, options.concurrent))
        load.pop("documents")
        figures["load"] = load
        if options.browser:
            figures["browser"] = measure_browser(url, min(options.updates, 50), samples=samples)
    figures["load_average_after"] = os.getloadavg()[0]
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)
    return figures


def _print(f: dict[str, Any]) -> None:
    u, load = f["updates"], f["load"]

    def line(name: str, p: dict[str, float]) -> str:
        return f"  {name:<34} p50 {p['p50_ms']:7.1f} ms   p95 {p['p95_ms']:7.1f} ms"

    print(
        f"web explorer benchmark: {f['scenario']}, {f['samples']:,} samples, loopback; "
        f"{f['cpus']} CPUs, load average {f['load_average_before']:.1f} before, "
        f"{f['load_average_after']:.1f} after"
    )
    print(f"  first request (samples the worlds)  {1000 * f['first_request_s']:7.1f} ms")
    print(f"updates, {u['requests']} sequential requests (one offer each, cached worlds):")
    print(line("round trip", u["round_trip"]))
    print(line("compute (server)", u["compute"]))
    if "browser" in f:
        presses = f["browser"]["presses"]
        print(line(f"input event -> odds painted ({presses})", f["browser"]["felt"]))
        print(line(f"key press -> odds on page, driver ({presses})", f["browser"]["numbers"]))
        print(line(f"key press -> charts redrawn ({presses})", f["browser"]["charts"]))
        b = f["browser"]
        if b["whole"]:
            print(line(f"press, rest -> whole sample ({b['rests']})", b["whole"]))
            print(line(f"input -> odds, whole under way ({b['rests']})", b["during_whole"]))
        for n, p in sorted(b["compute"].items(), key=lambda item: int(item[0])):
            print(line(f"  compute on {int(n):,} worlds ({p['requests']})", p))
        print(f"  (next preview: {b['preview_samples']:,} worlds)")
    print(
        f"load, {load['requests']} concurrent requests: {load['succeeded']} succeeded, "
        f"{load['throughput_per_s']:.0f} requests/s, {load['wall_s']:.2f} s in all"
    )
    print(line("latency (queue + compute)", load["latency"]))
    print(line("compute (server)", load["compute"]))


if __name__ == "__main__":
    main()
