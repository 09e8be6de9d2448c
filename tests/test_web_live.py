"""The web explorer as a user meets it: a real uvicorn server on loopback, a real browser.

The browser is Debian's chromium driven by Playwright (never a downloaded one);
without /usr/bin/chromium the browser test fails, loudly: CI installs it.
The server runs numba's ``workqueue`` threading layer, the one that aborts the
process when parallel code is entered from two threads at once, so the load
test shows that every computation is serialised on the one worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

import goldenbridge as gb
from goldenbridge.report.documents import round_numbers
from goldenbridge.web.bench import (
    CHROMIUM,
    CHROMIUM_ARGS,
    local_server,
    measure_browser,
    measure_load,
)
from goldenbridge.web.bench import main as bench_main
from strategies import bargaining_scenario

SAMPLES = 10_000
#: How long to wait for the page before failing: generous, since CI machines can be busy.
TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def server():
    with local_server("russia-2021", threading_layer="workqueue") as url:
        yield url


def p_deal(url: str, scenario: str, offer: dict, samples: int = SAMPLES, seed: int = 2022):
    body = {"scenario": scenario, "offers": {"x": offer}, "samples": samples, "seed": seed}
    r = httpx.post(f"{url}/api/evaluate", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["offers"][0]["p_deal"]


def shown_p_deal(page) -> float:
    return float(page.get_attribute("#p-deal", "data-value"))


def wait_for_p_deal(page, expected: float) -> None:
    page.wait_for_function(
        "x => Number(document.getElementById('p-deal').dataset.value) === x",
        arg=expected,
        timeout=TIMEOUT_MS,
    )


def test_200_concurrent_evaluates_all_succeed(server):
    russia = gb.load("russia-2021")
    offers = [{"enlargement": float(i % 50) * 2, "missiles": float(i % 7) * 10} for i in range(200)]
    body = {"scenario": "russia-2021", "samples": SAMPLES, "seed": russia.seed}
    load = measure_load(server, body, offers)
    assert load["succeeded"] == 200, load["statuses"]
    # every answer is the right one: the same numbers as evaluating in this process
    distinct = {json_key(o): o for o in offers}
    expected = gb.evaluate(russia, distinct, samples=SAMPLES)
    for offer, doc in zip(offers, load["documents"], strict=True):
        want = round_numbers(expected.offer(json_key(offer)).to_dict())  # as the API sends it
        assert doc["offers"][0]["p_deal"] == pytest.approx(want["p_deal"], abs=1e-12)
        assert doc["offers"][0]["proposer_eu"] == pytest.approx(want["proposer_eu"], abs=1e-12)
    print(
        f"\n200 concurrent: p50 {load['latency']['p50_ms']:.0f} ms, "
        f"p95 {load['latency']['p95_ms']:.0f} ms"
    )
    # still alive, and the engine's parallel code ran under the layer that aborts on
    # concurrent entry: every computation was serialised
    assert httpx.get(f"{server}/api/info").json()["numba_threading_layer"] == "workqueue"


CONCURRENT_ENTRY = """
import threading
import goldenbridge as gb
from goldenbridge.engine import tally
population = gb.population("fearon-1d", 100_000)
offers = population.encode([{"share": 0.6}])
tally(population.worlds, offers)
def evaluate_many():
    for _ in range(50):
        tally(population.worlds, offers)
threads = [threading.Thread(target=evaluate_many) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def test_control_the_engine_aborts_when_entered_from_several_threads():
    """The hazard the one worker avoids is real: without it, the process dies."""
    package_root = str(Path(gb.__file__).resolve().parent.parent)
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue", "PYTHONPATH": package_root}
    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT_ENTRY], env=env, capture_output=True, timeout=300
    )
    assert result.returncode != 0
    assert b"Concurrent access has been detected" in result.stderr


def json_key(offer: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(offer.items()))


@pytest.mark.slow  # 26-30 s cold: a browser over the whole page
def test_page_in_chromium(server, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: r.url.startswith(server) or problems.append(r.url))
        page.goto(server)
        page.wait_for_selector("#p-deal[data-seq]")
        assert page.input_value("#scenario-select") == "russia-2021"
        assert page.locator("#issues input[type=range]").count() == 4

        # the sample-size control
        page.fill("#samples", str(SAMPLES))
        page.press("#samples", "Tab")
        page.wait_for_function(f"() => state.applied > 0 && state.current.samples === {SAMPLES}")
        before = shown_p_deal(page)
        assert before == p_deal(server, "russia-2021", {})

        # move a slider key by key (40 moves in quick succession): the page ends up
        # showing the API's P(deal) for where the slider stopped, never an older answer
        slider = page.locator("#issue-enlargement")
        slider.focus()
        for _ in range(40):
            slider.press("ArrowRight")
        assert page.input_value("#issue-enlargement") == "40"
        expected = p_deal(server, "russia-2021", {"enlargement": 40})
        wait_for_p_deal(page, expected)
        assert expected != before
        page.wait_for_timeout(300)
        assert shown_p_deal(page) == expected
        assert page.get_attribute("#p-deal", "data-seq") == str(page.evaluate("state.seq"))
        assert "Formal moratorium" in page.inner_text("#issue-enlargement-label")  # ≈ 50's label

        # a named offer as a preset
        page.click("button[data-offer=bridge_moratorium]")
        moratorium = gb.load("russia-2021").offers["bridge_moratorium"]
        for issue, value in moratorium.items():
            assert float(page.input_value(f"#issue-{issue}")) == value
        wait_for_p_deal(page, p_deal(server, "russia-2021", moratorium))
        assert page.locator("#actors-table tbody tr").count() == 4
        assert "revisionist" in page.inner_text("#types")

        # what decides it: Sobol' indices of the current offer, on demand
        page.select_option("#sensitivity-n", "256")
        page.click("#sensitivity-run")
        page.locator("#sensitivity-chart .bars").first.wait_for()
        assert "model runs" in page.inner_text("#sensitivity-status")
        page.screenshot(path=tmp_path / "explorer.png", full_page=True)

        # a bad upload: the error, with its field path, next to the upload field
        bad = bargaining_scenario()
        bad["actors"][0]["salience"] = {"nato": -1, "missiles": 1}
        page.set_input_files(
            "#upload",
            files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": yaml_bytes(bad)}],
        )
        error = page.locator("#upload-error")
        error.wait_for(state="visible")
        path, message = error.inner_text().split(": ", 1)
        assert path == "actors.US.salience.nato" and message.endswith("must be >= 0")
        assert page.input_value("#scenario-select") == "russia-2021"  # still on the old one
        page.screenshot(path=tmp_path / "upload-error.png", full_page=True)

        # a good upload opens it; a discrete issue gets a select
        page.set_input_files(
            "#upload",
            files=[
                {
                    "name": "ok.yaml",
                    "mimeType": "text/yaml",
                    "buffer": yaml_bytes(bargaining_scenario()),
                }
            ],
        )
        page.wait_for_function("() => state.scenario.name === 'base'")
        assert error.is_hidden()
        upload_id = page.input_value("#scenario-select")
        assert upload_id.startswith("upload-")
        page.select_option("#issue-basing", "rotational")
        wait_for_p_deal(page, p_deal(server, upload_id, {"basing": "rotational"}, 500, 1))

        # search all offers (Fearon's crisis: exact in one dimension) and jump to the
        # risk-return optimum, then to the golden bridge for P(deal) >= 0.8
        page.select_option("#scenario-select", "fearon-1d")
        page.wait_for_function("() => state.scenario.name === 'fearon-1d' && state.current")
        page.click("#search-offers")
        page.locator("#jump-optimum:enabled").wait_for()
        search = {"scenario": "fearon-1d", "samples": 20_000, "solutions": False}
        found = httpx.post(f"{server}/api/optimize", json=search, timeout=300).json()
        page.click("#jump-optimum")
        share = found["optimum"]["values"]["share"]
        assert page.evaluate("state.offer.share") == share
        wait_for_p_deal(page, p_deal(server, "fearon-1d", {"share": share}, 200_000, 7))
        page.select_option("#bridge-by", "p_deal")  # on request: by P(deal)
        page.fill("#target-p", "0.8")
        page.press("#target-p", "Tab")
        page.click("#search-offers")
        page.wait_for_function("() => state.optimum && state.optimum.target_p === 0.8")
        page.click("#jump-bridge")
        bridge = page.evaluate("state.optimum.bridge")
        share = bridge["values"]["share"]
        assert bridge["p_deal"] >= 0.8 and page.evaluate("state.offer.share") == share
        wait_for_p_deal(page, p_deal(server, "fearon-1d", {"share": share}, 200_000, 7))
        page.screenshot(path=tmp_path / "frontier.png", full_page=True)
        browser.close()
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
    # chromium logs the bad upload's 422 as a failed load; nothing else may go wrong
    assert problems == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]


def test_an_answer_for_another_scenario_is_never_shown(server):
    """Hold the answer for a slider move, switch scenario, then let it through: the page
    drops it (and shows no odds) until the new scenario's own answer arrives."""
    from playwright.sync_api import sync_playwright

    held = []

    def hold_current_offer(route):
        if "current" in (json.loads(route.request.post_data).get("offers") or {}):
            held.append(route)  # answered later, by the test
        else:
            route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server)
        page.wait_for_selector("#p-deal[data-seq]")
        page.fill("#samples", str(SAMPLES))
        page.press("#samples", "Tab")
        page.wait_for_function(f"() => state.current.samples === {SAMPLES} && !state.inFlight")
        russia = page.inner_text("#actors-table tbody")
        assert "Russia" in russia

        page.route("**/api/evaluate", hold_current_offer)
        page.locator("#issue-enlargement").press("ArrowRight")
        page.wait_for_function("() => state.inFlight")
        page.select_option("#scenario-select", "fearon-1d")
        page.wait_for_function("() => state.scenario.name === 'fearon-1d' && state.pending")
        assert page.inner_text("#p-deal") == "–" and page.inner_text("#actors-table tbody") == ""

        held.pop().continue_()  # russia-2021's answer, now stale
        page.wait_for_function("() => !state.pending && state.inFlight")  # fearon's is asked
        assert page.inner_text("#p-deal") == "–" and page.inner_text("#actors-table tbody") == ""
        assert page.get_attribute("#p-deal", "data-value") is None

        held.pop().continue_()  # fearon-1d's first pass: a preview (200 000 worlds asked)
        while not held:  # then its whole sample
            page.wait_for_timeout(50)
        assert page.evaluate("state.preview")
        assert page.evaluate("state.current.samples") == page.evaluate("state.previewSamples")
        assert page.evaluate("state.current.samples") < 200_000
        held.pop().continue_()
        # the whole sample's answer shown (the preview's P(deal) may equal it: waiting for
        # the number alone could return while the preview is still on the page)
        page.wait_for_function("() => !state.preview && !state.inFlight")
        wait_for_p_deal(page, p_deal(server, "fearon-1d", {}, 200_000, 7))
        assert page.locator("#actors-table tbody tr").all_inner_texts()[0].startswith("B")
        browser.close()


def test_a_large_sample_is_previewed_then_shown_whole(server):
    """On a large sample a move is answered on a preview first (2 000 worlds at the start,
    labelled a preview), then, once the offer rests, on the whole sample, which replaces
    it; the preview's size follows the server's measured compute time per world."""
    from playwright.sync_api import sync_playwright

    asked: list[int] = []

    def record(request):
        if request.url.endswith("/api/evaluate"):
            body = json.loads(request.post_data)
            if "current" in body["offers"]:
                asked.append(body["samples"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("request", record)
        page.goto(f"{server}?scenario=russia-2021&samples=40000")
        page.wait_for_function("() => state.current && !state.inFlight && !state.preview")
        assert asked[:2] == [2000, 40_000]
        assert "a preview" not in page.inner_text("#odds-heading")
        page.locator("#issue-enlargement").focus()
        for _ in range(5):
            page.locator("#issue-enlargement").press("ArrowRight")
        wait_for_p_deal(page, p_deal(server, "russia-2021", {"enlargement": 5}, 40_000))
        page.wait_for_function("() => !state.inFlight")
        assert page.evaluate("state.current.samples") == 40_000
        assert not page.evaluate("state.preview")
        assert 40_000 in asked[2:] and any(n < 40_000 for n in asked[2:])
        assert page.inner_text("#status").startswith("40,000 worlds")
        # the preview's size: the largest whose measured cost fits the 15 ms budget
        for ms_per_world, size in [(1.0, 1000), (0.006, 2000), (0.002, 5000), (1e-4, 10000)]:
            assert page.evaluate(f"state.msPerWorld = {ms_per_world}; previewSize()") == size
        page.evaluate("state.info.limits.quick_samples = 5000")  # the server's quick worker
        assert page.evaluate("state.msPerWorld = 1e-4; previewSize()") == 5000
        browser.close()


def test_the_browser_benchmark_times_previews_and_the_whole_sample(server):
    """bench --browser: from the slider's input event to the painted odds (in the page),
    each press answered by a preview, then the whole sample after a rest; the server's
    compute by sample size."""
    # 40 000 worlds: at least four times the largest preview (10 000, taken where the
    # server computes a preview within the page's budget), so that every move is previewed
    # and the whole sample waits for the offer to rest, however fast this machine is
    figures = measure_browser(server, presses=3, rests=1, samples=40_000)
    assert figures["presses"] == 3 and figures["rests"] == 1
    assert 0 < figures["felt"]["p50_ms"] <= figures["felt"]["max_ms"]
    assert figures["whole"]["p50_ms"] > 250  # the page waits for the offer to rest
    sizes = {int(n) for n in figures["compute"]}
    assert 40_000 in sizes and any(n < 40_000 for n in sizes)
    assert figures["preview_samples"] in (1000, 2000, 5000, 10_000)


def yaml_bytes(document: dict) -> bytes:
    return yaml.safe_dump(document, sort_keys=False).encode()


def test_benchmark_runs(capsys):
    figures = bench_main(
        ["--scenario", "fearon-1d", "--samples", "2000", "--updates", "3", "--concurrent", "5"]
    )
    assert figures["updates"]["requests"] == 3 and figures["load"]["succeeded"] == 5
    assert "5 concurrent requests: 5 succeeded" in capsys.readouterr().out


def test_a_phone_screen_has_no_sideways_scroll_and_the_page_speaks(server):
    """At 390 px (a phone) the page is no wider than the screen; the odds are announced
    (aria-live), sliders say their value and scale label, presets say which is pressed,
    and the answer is one plain sentence."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(TIMEOUT_MS)
        # the address holds the sample size (share.js): the page's first answer comes fast
        page.goto(f"{server}?scenario=russia-2021&samples={SAMPLES}")
        page.wait_for_selector("#p-deal[data-seq]")
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"page {widths[0]} px wide on a {widths[1]} px screen"
        assert page.get_attribute(".headline", "aria-live") == "polite"
        assert "a deal is signed in" in page.text_content("#answer")
        slider = page.locator("#issues input[type=range]").first
        assert slider.get_attribute("aria-valuetext")
        page.locator("#presets button").first.click()
        pressed = page.locator("#presets button[aria-pressed=true]")
        assert pressed.count() == 1
        browser.close()


def test_the_golden_bridge_box_asks_for_p_war(server, tmp_path):
    """By default the golden-bridge box and the packages chart are by P(war): with one veto
    ally on its own information (tests/test_information.py's one-veto case) no package
    halves offering nothing's P(war), and the page says which ally's approval fails, at
    what concession; by P(deal) on request, the bridge meets its P(deal) target."""
    from playwright.sync_api import sync_playwright
    from test_information import one_veto

    spec = one_veto().model_dump(exclude_none=True)
    spec["samples"] = 2_000
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server}?scenario=russia-2021&samples=2000")  # a fast first answer
        page.wait_for_selector("#p-deal[data-seq]")
        page.set_input_files(
            "#upload",
            files=[{"name": "v.yaml", "mimeType": "text/yaml", "buffer": yaml_bytes(spec)}],
        )
        page.wait_for_function("() => state.scenario.name === 'one-veto' && state.current")
        assert page.input_value("#bridge-by") == "p_war"
        page.click("#search-offers")
        page.wait_for_function("() => state.optimum !== null")
        status = page.inner_text("#optimize-status")
        assert page.evaluate("state.optimum.bridge_by") == "p_war"
        assert "No offer found reaches P(war) ≤" in status
        assert "V approves in only" in status
        title = page.evaluate("document.getElementById('frontier-chart').layout.xaxis.title.text")
        assert title == "P(war)"
        page.screenshot(path=tmp_path / "bridge-by-p-war.png", full_page=True)

        page.select_option("#bridge-by", "p_deal")
        assert page.evaluate("state.optimum") is None  # the other criterion's search is gone
        page.fill("#target-p", "0.3")
        page.press("#target-p", "Tab")
        page.click("#search-offers")
        page.wait_for_function(
            "() => state.optimum && state.optimum.bridge_by === 'p_deal' && "
            "state.optimum.target_p === 0.3"
        )
        bridge = page.evaluate("state.optimum.bridge")
        assert bridge is not None and bridge["p_deal"] >= 0.3
        assert "Golden bridge, the best offer for P with P(deal) ≥ 30.0%" in page.inner_text(
            "#optimize-status"
        )
        title = page.evaluate("document.getElementById('frontier-chart').layout.xaxis.title.text")
        assert title == "P(deal)"
        page.screenshot(path=tmp_path / "bridge-by-p-deal.png", full_page=True)


def _robust_range(values, k=3.0):
    """The axis limits charts.js's robustRange should give, computed here with numpy:
    Tukey's far fences (Q1 - 3 IQR, Q3 + 3 IQR; numpy's default linear quantiles), the
    values inside them padded by 8% of their range."""
    import numpy as np

    v = np.sort(np.asarray(values, dtype=float))
    low, high = -np.inf, np.inf
    if v.size >= 5:
        q1, q3 = np.quantile(v, [0.25, 0.75])
        spread = q3 - q1 or max(0.05 * abs(np.median(v)), 0.05)
        low, high = q1 - k * spread, q3 + k * spread
    inside = v[(v >= low) & (v <= high)]
    pad = (inside[-1] - inside[0]) * 0.08 or max(0.05 * abs(inside[0]), 0.05)
    return [inside[0] - pad, inside[-1] + pad], low, high


def table_rows(page, details_id: str) -> list[list[str]]:
    """The cells of a chart's table (its <details> may be closed: text, not what shows)."""
    return page.eval_on_selector_all(
        f"#{details_id} tbody tr", "rows => rows.map((r) => [...r.cells].map((c) => c.textContent))"
    )


def _overlaps(boxes):
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]


LABEL_BOXES = """() => {
  const plot = document.querySelector('#frontier-chart .nsewdrag').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('#frontier-chart .annotation-text')].map((a) => {
    const r = a.getBoundingClientRect();
    return { text: a.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  });
  return { plot: { left: plot.left, right: plot.right, top: plot.top, bottom: plot.bottom },
           boxes };
}"""


@pytest.mark.slow  # ~12 s per width on an idle machine (a browser and a server)
@pytest.mark.parametrize("width", [1280, 390])
def test_charts_have_tables_robust_axes_and_labels_that_do_not_collide(server, width):
    """Issue 16: every chart has its numbers in a text table behind it; one outlier does not
    stretch the packages chart's axis (it is drawn at the edge, marked, its true value in
    its label); the offers' labels neither overlap nor leave the plot, on a desktop and on
    a 390 px phone."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server}?scenario=russia-2021&samples={SAMPLES}")
        page.wait_for_function("() => document.getElementById('odds-chart').dataset.seq")
        page.wait_for_function("() => state.named && state.current")

        # the odds chart's table: one row per bar, the numbers shown as the page shows them
        rows = table_rows(page, "odds-chart-data")
        actors = page.evaluate("() => Object.keys(state.current.offers[0].actors).length")
        assert len(rows) == actors + 2 and page.is_visible("#odds-chart-data summary")
        deal = float(page.get_attribute("#p-deal", "data-value"))
        assert rows[-2][:2] == ["deal", f"{100 * deal:.1f}%"]

        # the packages chart: one row per named offer and the current offer
        named = page.evaluate("() => state.named.offers.map((o) => o.proposer_u)")
        current = page.evaluate("() => state.current.offers[0].proposer_u")
        assert page.locator("#frontier-chart-data tbody tr").count() == len(named) + 1

        # an outlier far below the others: the axis keeps the others' range
        page.evaluate(
            """() => { const o = state.named.offers;
            o.push({...o[0], name: 'far_off', proposer_u: -25, p_deal: 0.4, proposer_eu: -3});
            drawPackages(); }"""
        )
        page.wait_for_function(
            "() => [...document.querySelectorAll('#frontier-chart .annotation-text')]"
            ".some((a) => a.textContent.startsWith('far_off'))"
        )
        expected, low, high = _robust_range([*named, current, -25.0])
        assert -25.0 < low  # the case is the one the test means
        shown = page.evaluate("() => document.getElementById('frontier-chart').layout.yaxis.range")
        assert shown == pytest.approx(expected, rel=1e-12)
        marked = page.evaluate(
            "() => document.getElementById('frontier-chart').data"
            ".filter((t) => t.name.startsWith('off the scale')).map((t) => t.y)"
        )
        assert len(marked) == 1 and expected[0] <= marked[0][0] <= expected[1]
        labels = page.evaluate(LABEL_BOXES)
        texts = [b["text"] for b in labels["boxes"]]
        assert "far_off: u -25.000" in texts and len(texts) == len(named) + 1
        assert _overlaps(labels["boxes"]) == []
        plot = labels["plot"]
        for box in labels["boxes"]:
            assert plot["left"] - 1 <= box["left"] and box["right"] <= plot["right"] + 1, box
            assert plot["top"] - 1 <= box["top"] and box["bottom"] <= plot["bottom"] + 1, box

        # the Sobol' chart's table, from a document of the API's shape
        page.evaluate(
            """() => drawSensitivity({factors: [
              {name: 'a', ST: 0.5, ST_conf: 0.1, S1: 0.4, S1_conf: 0.05},
              {name: 'b', ST: 0.25, ST_conf: 0.02, S1: 0.2, S1_conf: 0.01}]})"""
        )
        rows = table_rows(page, "sensitivity-chart-data")
        assert rows == [["a", "0.50 ± 0.10", "0.40 ± 0.05"], ["b", "0.25 ± 0.02", "0.20 ± 0.01"]]
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]
        browser.close()
