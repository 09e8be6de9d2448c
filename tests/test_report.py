"""The HTML brief: every section, numbers traced to the JSON, seen in a real browser, PDF."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app
from goldenbridge.history import RunStore
from goldenbridge.report.html import SECTIONS
from goldenbridge.report.pdf import find_chromium, screenshot
from goldenbridge.web.bench import CHROMIUM, CHROMIUM_ARGS

runner = CliRunner()
FAST = ["--samples", "4000", "--sensitivity-samples", "1000", "--sobol-n", "64"]


def cli(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def resolve(document, key: str):
    """The value at a brief's ``data-key`` path (``a.offers[name].p_deal``, ``x[0]``)."""
    node = document
    for part in re.findall(r"[^.\[\]]+|\[[^\]]*\]", key):
        if part.startswith("["):
            inner = part[1:-1]
            if inner.isdigit():
                node = node[int(inner)]
            else:
                node = next(item for item in node if item.get("name") == inner)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:  # a result offer's status_quo/optimum/... keys hold their fields directly
            raise KeyError(f"{key}: no {part}")
    return node


@pytest.fixture(scope="module")
def fearon_brief(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brief")
    html = folder / "brief.html"
    doc = json.loads(cli("report", "fearon-1d", "-o", html, *FAST, "--json", "--no-save").stdout)
    return html, html.read_text(encoding="utf-8"), doc


def test_brief_has_every_section_and_nothing_from_outside(fearon_brief):
    _, text, doc = fearon_brief
    for section, title in SECTIONS:
        match = re.search(f'<section id="{section}"><h2>([^<]*)</h2>(.*?)</section>', text, re.S)
        assert match, section
        assert match.group(1) == title and len(match.group(2)) > 30, section
    assert not re.search(r'(src|href)="(?!#)', text)  # no file or network reference
    assert "<link" not in text and "@import" not in text
    assert not re.search(r"url\((?!#)", text)  # (SVG clip paths refer inside the file)
    assert text.count("<svg") >= 5  # outcomes, frontier, concession path, range, tornado
    for figure in doc["figures"]:
        assert f'id="fig-{figure}"' in text
    # the scenario in plain words: issues, actors, the uncertain assumption and its range
    assert "conflict.cost.B" in text and "uniform 0 – 0.3" in text
    assert "Fearon 1995" in text and "Saltelli" in text  # method notes with citations


def test_every_table_scrolls_in_its_own_box(fearon_brief):
    """A table wider than a phone's screen scrolls sideways in its own box (which can be
    focused, for the keyboard), never the whole page: every table is in one."""
    _, text, _ = fearon_brief
    tables = re.findall(r"<table", text)
    boxed = re.findall(
        r"<div class=[\"']table-scroll[\"'] role=[\"']region[\"'] tabindex=[\"']0[\"'][^>]*><table",
        text,
    )
    assert len(tables) >= 5 and len(boxed) == len(tables)
    assert re.search(r"\.table-scroll \{ overflow-x: auto;", text)


def test_brief_names_seed_version_and_scenario_hash(fearon_brief):
    _, text, doc = fearon_brief
    builtin = resources.files("goldenbridge.scenario.builtin").joinpath("fearon-1d.yaml")
    digest = hashlib.sha256(builtin.read_text(encoding="utf-8").encode()).hexdigest()
    assert doc["scenario_hash"] == digest and f"<code>{digest}</code>" in text
    assert f"<td id='seed'>{gb.load('fearon-1d').seed}</td>" in text
    assert f"<td id='version'>{gb.__version__}</td>" in text


def test_numbers_in_the_brief_equal_the_json_results(fearon_brief):
    _, text, doc = fearon_brief
    traced = re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', text)
    assert len(traced) > 30
    for key, value in traced:
        assert float(value) == resolve(doc, key.replace("&#x27;", "'")), key
    # ... and equal what evaluate and optimize print on their own, bit for bit
    evaluated = json.loads(cli("evaluate", "fearon-1d", "-n", "4000", "--json").stdout)
    assert doc["evaluate"] == evaluated
    optimized = json.loads(cli("optimize", "fearon-1d", "-n", "4000", "--json").stdout)
    assert doc["optimize"] == optimized
    shown = {k: float(v) for k, v in traced}
    for offer in evaluated["offers"]:
        assert shown[f"evaluate.offers[{offer['name']}].p_deal"] == offer["p_deal"]
        assert shown[f"evaluate.offers[{offer['name']}].p_war"] == offer["p_war"]


def test_chosen_offers_only(tmp_path):
    args = ("report", "fearon-1d", "-o", tmp_path / "b.html", *FAST, "--sections", "none")
    doc = json.loads(cli(*args, "--offers", "split,keep_all", "--json").stdout)
    assert [o["name"] for o in doc["evaluate"]["offers"]] == ["split", "keep_all"]
    doc = json.loads(cli(*args, "--offer", "split", "--json").stdout)
    assert [o["name"] for o in doc["evaluate"]["offers"]] == ["split"]


def test_report_run_is_saved_and_reruns(tmp_path):
    db = tmp_path / "runs.sqlite"
    cli("report", "fearon-1d", "-o", tmp_path / "b.html", *FAST, "--sections", "none", "--db", db)
    with RunStore(db) as store:
        (run,) = store.runs()
    assert run.command == "report" and run.result["optimize"] is None
    assert json.loads(cli("runs", "rerun", run.id, "--db", db, "--json").stdout)["identical"]


def test_bad_input_is_one_line(tmp_path, monkeypatch):
    result = runner.invoke(app, ["report", "fearon-1d", "--offer", "nope", "-o", tmp_path / "x"])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith("error: --offer nope: no such offer")
    monkeypatch.setattr("goldenbridge.report.pdf.find_chromium", lambda: None)
    result = runner.invoke(app, ["report", "fearon-1d", "--pdf", "-o", tmp_path / "y.html"])
    assert result.exit_code == 2 and "apt-get install -y chromium" in result.output
    assert not (tmp_path / "y.html").exists()  # checked before any work


def test_pdf_and_png_through_chromium(fearon_brief, tmp_path):
    html, _, _ = fearon_brief
    assert find_chromium(), "chromium is missing: apt-get install -y chromium"
    png = screenshot(html, tmp_path / "brief.png", size=(1000, 1400))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    out = tmp_path / "pdf" / "brief.html"
    doc = json.loads(
        cli("report", "fearon-1d", "-o", out, *FAST, "--sections", "none", "--pdf", "--json").stdout
    )
    pdf = Path(doc["pdf"])
    assert pdf == out.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow  # 26-30 s cold: the brief rendered in a browser
def test_seed_crisis_brief_in_headless_chromium(tmp_path):
    """The seed crisis's brief as a reader opens it: every section and figure drawn."""
    from playwright.sync_api import sync_playwright

    html = tmp_path / "russia-2021.html"
    doc = json.loads(cli("report", "russia-2021", "-o", html, *FAST, "--no-save", "--json").stdout)
    traced = re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', html.read_text())
    assert len(traced) > 100  # packages x actors, types, optimum, sensitivity
    for key, value in traced:
        assert float(value) == resolve(doc, key.replace("&#x27;", "'")), key
    shot = tmp_path / "brief-russia-2021.png"  # look at it: pytest --basetemp=DIR
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        problems: list[str] = []
        page.on("requestfailed", lambda r: problems.append(r.url))
        page.on("request", lambda r: r.url.startswith("file:") or problems.append(r.url))
        page.goto(html.as_uri())
        for section, title in SECTIONS:
            heading = page.locator(f"#{section} h2")
            assert heading.inner_text() == title and heading.is_visible()
        sizes = page.eval_on_selector_all(
            "figure svg", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert len(sizes) >= 5 and min(sizes) > 100
        assert "Would Russia take a package from United States" in page.inner_text("#question")
        page.screenshot(path=str(shot), full_page=True)
        # a phone (390 px): the page is no wider than the screen; the wide robustness
        # table scrolls sideways in its box, its caption in view
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(html.as_uri())
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        box = phone.locator("#decides .table-scroll").first
        assert "ends of its range" in box.locator("caption").inner_text()
        width, inner = box.evaluate("e => [e.clientWidth, e.scrollWidth]")
        assert width <= 390 < inner
        box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        assert box.locator("caption").bounding_box()["x"] >= 0
        phone.screenshot(path=str(tmp_path / "brief-russia-2021-390.png"), full_page=True)
        browser.close()
    assert not problems
    assert shot.stat().st_size > 100_000
