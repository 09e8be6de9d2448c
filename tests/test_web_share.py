"""The web page's shareable state, downloads and saved runs (API and a real browser)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from goldenbridge.cli import app as cli
from goldenbridge.web import create_app
from goldenbridge.web.bench import CHROMIUM, CHROMIUM_ARGS, local_server

TIMEOUT_MS = 120_000


@pytest.fixture()
def client():
    with TestClient(create_app("fearon-1d"), raise_server_exceptions=False) as c:
        yield c


def saved_run(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_runs_lists_what_the_command_line_saved(client):
    db = Path(os.environ["GOLDENBRIDGE_DB"])
    assert client.get("/api/runs", params={"scenario": "fearon-1d"}).json()["runs"] == []
    assert not db.exists()  # listing never creates the history
    saved_run("evaluate", "fearon-1d", "-n", "1000")
    saved_run("evaluate", "russia-2021", "-n", "1000")
    doc = client.get("/api/runs", params={"scenario": "fearon-1d"}).json()
    assert doc["db"] == str(db) and doc["error"] is None
    assert [(r["command"], r["scenario"]) for r in doc["runs"]] == [("evaluate", "fearon-1d")]


def test_runs_reports_a_corrupt_history_and_leaves_it(client):
    db = Path(os.environ["GOLDENBRIDGE_DB"])
    db.write_bytes(b"garbage" * 100)
    doc = client.get("/api/runs", params={"scenario": "fearon-1d"}).json()
    assert doc["runs"] == [] and "not a goldenbridge run history" in doc["error"]
    assert db.read_bytes() == b"garbage" * 100


def test_brief_download_is_the_reports_html(client):
    body = {"scenario": "fearon-1d", "samples": 3000, "seed": 5, "sections": ["optimize"]}
    answer = client.post("/api/brief", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="fearon-1d-brief.html"'
    html = answer.text
    assert html.startswith("<!DOCTYPE html>") and '<section id="optimum">' in html
    evaluated = client.post(
        "/api/evaluate", json={"scenario": "fearon-1d", "samples": 3000, "seed": 5}
    ).json()
    for offer in evaluated["offers"]:
        key = f'data-key="evaluate.offers[{offer["name"]}].p_deal" data-value="'
        shown = html.split(key, 1)[1].split('"', 1)[0]
        assert float(shown) == offer["p_deal"]
    bad = client.post("/api/brief", json={"scenario": "fearon-1d", "offers": ["nope"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "offers"


def test_url_state_downloads_and_runs_in_a_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    saved_run("evaluate", "fearon-1d", "-n", "1000")  # listed on the page
    with local_server("fearon-1d") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/?scenario=fearon-1d&samples=4000&seed=3&x.share=0.65")
        expected = httpx.post(
            f"{url}/api/evaluate",
            json={
                "scenario": "fearon-1d",
                "samples": 4000,
                "seed": 3,
                "offers": {"x": {"share": 0.65}},
            },
            timeout=60,
        ).json()["offers"][0]["p_deal"]
        page.wait_for_function(
            "x => Number(document.getElementById('p-deal').dataset.value) === x", arg=expected
        )
        assert page.input_value("#samples") == "4000" and page.input_value("#seed") == "3"
        assert float(page.input_value("#issue-share")) == 0.65
        # a move is written into the address; a reload restores it
        page.focus("#issue-share")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => location.search.includes('x.share=0.64')")
        page.reload()
        page.wait_for_function("() => document.getElementById('p-deal').dataset.value")
        assert float(page.input_value("#issue-share")) == 0.64
        assert page.input_value("#samples") == "4000"
        # downloads: the results on screen as JSON and CSV
        with page.expect_download() as info:
            page.click("#download-json")
        doc = json.loads(Path(info.value.path()).read_text())
        assert doc["current"]["offers"][0]["values"]["share"] == 0.64
        assert doc["current"]["samples"] == 4000 and doc["current"]["seed"] == 3
        with page.expect_download() as info:
            page.click("#download-csv")
        lines = Path(info.value.path()).read_text().splitlines()
        assert lines[0].startswith("package,share,p_deal,p_deal_se,p_war")
        current = next(line for line in lines if line.startswith("current,"))
        assert float(current.split(",")[2]) == doc["current"]["offers"][0]["p_deal"]
        # the saved runs of this scenario
        page.wait_for_selector("#runs-list li[data-run]")
        assert re.search(r"run \d+ evaluate", page.inner_text("#runs-list"))
        browser.close()
