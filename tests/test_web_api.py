"""The web explorer's JSON API (FastAPI's TestClient): shapes, limits, errors, the worker."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app as cli
from goldenbridge.cli.serve import is_loopback
from goldenbridge.report.documents import json_safe, round_numbers
from goldenbridge.scenario import ScenarioError
from goldenbridge.web import Limits, batching, create_app
from goldenbridge.web import api as web_api
from goldenbridge.web.app import STATIC, plotly_js
from goldenbridge.web.batching import evaluate_together
from goldenbridge.web.compute import AnalysisProcess, ComputeTimeout, ComputeWorker
from strategies import bargaining_scenario


def as_sent(document):
    """A result document as the API sends it (non-finite as null, numbers rounded)."""
    return round_numbers(json_safe(document))


def client_for(**limits) -> TestClient:
    return TestClient(create_app(limits=Limits(**limits)), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client():
    with client_for() as c:
        yield c


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def bad_scenario() -> dict:
    doc = bargaining_scenario()
    doc["actors"][0]["salience"] = {"nato": -1, "missiles": 1}
    return doc


# ------------------------------------------------------------------ same shapes as the CLI


def test_errors_have_the_cli_json_shape(client, tmp_path):
    """Bad input: the web answers 422 with the very document the CLI prints under --json."""
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(bad_scenario()))
    result = CliRunner().invoke(cli, ["evaluate", str(file), "--json"])
    assert result.exit_code == 2
    expected = json.loads(result.stdout)
    r = client.post("/api/validate", json={"text": file.read_text(), "filename": str(file)})
    assert r.status_code == 422
    assert r.json() == expected
    assert set(r.json()["error"]) == {"file", "field", "message"}
    assert r.json()["error"]["field"] == "actors.US.salience.nato"


def test_scenarios_match_the_cli(client):
    assert client.get("/api/scenarios").json() == cli_json("scenarios")


def test_evaluate_matches_the_cli(client, tmp_path):
    file = tmp_path / "s.json"
    file.write_text(json.dumps(bargaining_scenario()))
    expected = cli_json(
        "evaluate", str(file), "-n", "3000", "-o", "reject", "-o", "bridge", "--set", "nato=30"
    )
    offers = {**bargaining_scenario()["offers"], "custom": {"nato": 30}}
    r = client.post(
        "/api/evaluate",
        json={"scenario": bargaining_scenario(), "offers": offers, "samples": 3000},
    )
    assert r.status_code == 200, r.text
    assert r.json() == expected
    assert r.headers["server-timing"].startswith("compute;dur=")


def test_validate_matches_the_cli_and_keeps_the_upload(client, tmp_path):
    file = tmp_path / "s.yaml"
    text = yaml.safe_dump(bargaining_scenario(), sort_keys=False)
    file.write_text(text)
    r = client.post("/api/validate", json={"text": text, "filename": "s.yaml"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert {k: v for k, v in doc.items() if k != "id"} == cli_json("validate", str(file))
    assert doc["id"].startswith("upload-")
    # the same content gets the same id, as text or as a document
    same = client.post("/api/validate", json={"document": bargaining_scenario()}).json()
    assert same["id"] == doc["id"]
    spec = client.get(f"/api/scenarios/{doc['id']}").json()
    assert [i["name"] for i in spec["issues"]] == ["nato", "missiles", "basing"]
    basing = spec["issues"][2]
    assert basing["discrete"] and basing["options"] == ["none", "rotational", "permanent"]
    assert spec["issues"][0]["labels"] == [
        {"value": 0.0, "label": "open door"},
        {"value": 100.0, "label": "halt"},
    ]
    assert spec["offers"]["reject"] == {"nato": 0.0, "missiles": 0.0, "basing": "none"}
    assert [a["types"] for a in spec["actors"]] == [[], ["security", "revisionist"], []]
    evaluated = client.post("/api/evaluate", json={"scenario": doc["id"], "samples": 500})
    assert [o["name"] for o in evaluated.json()["offers"]] == ["reject", "bridge"]


def test_describe_builtin(client):
    spec = client.get("/api/scenarios/russia-2021").json()
    assert spec["proposer"] == "United States" and spec["target"] == "Russia"
    enlargement = spec["issues"][0]
    assert (enlargement["min"], enlargement["max"], enlargement["status_quo"]) == (0, 100, 0)
    assert [p["value"] for p in enlargement["labels"]] == [0, 25, 50, 75, 100]
    assert "bridge_moratorium" in spec["offers"]


# ------------------------------------------------------------------ the numbers


def test_fearon_closed_form(client):
    """Fearon (1995) with c_B ~ U[0, .3]: P(B accepts x) = (0.8 - x) / 0.3
    (docs/design.md section 2)."""
    offers = {f"x{x}": {"share": x} for x in (0.55, 0.6, 0.7)}
    doc = client.post(
        "/api/evaluate", json={"scenario": "fearon-1d", "offers": offers, "samples": 20_000}
    ).json()
    for offer in doc["offers"]:
        x = offer["values"]["share"]
        assert abs(offer["p_deal"] - (0.8 - x) / 0.3) < 4 * offer["p_deal_se"]


def test_population_is_sampled_once_per_scenario_samples_and_seed():
    with client_for() as c:
        cache = c.app.state.web.batcher(4000).populations
        for share in (0.5, 0.6, 0.7):
            body = {"scenario": "fearon-1d", "offers": {"x": {"share": share}}, "samples": 4000}
            assert c.post("/api/evaluate", json=body).status_code == 200
        assert (cache.misses, cache.hits) == (1, 2)
        c.post("/api/evaluate", json={**body, "seed": 5})
        assert cache.misses == 2 and len(cache) == 2


def test_empty_type_stratum_is_null_not_nan(client):
    doc = client.post(
        "/api/evaluate", json={"scenario": bargaining_scenario(), "samples": 1, "seed": 0}
    )
    assert doc.status_code == 200
    types = doc.json()["offers"][0]["types"]["Russia"]
    assert sorted(t["weight"] for t in types.values()) == [0.0, 1.0]
    assert any(t["p_accept"] is None for t in types.values())


def test_sensitivity_matches_the_cli_and_the_one_input_case(client):
    """Fearon's crisis has one uncertain input (c_B): it explains all of the deal's variance."""
    body = {"scenario": "fearon-1d", "offer": {"share": 0.6}, "n": 256}
    r = client.post("/api/sensitivity", json=body)
    assert r.status_code == 200, r.text
    cli_doc = cli_json(
        "sensitivity",
        "fearon-1d",
        "--set",
        "share=0.6",
        "--base-sample",
        "256",
        "--parts",
        "global",
    )
    assert r.json() == cli_doc
    (factor,) = r.json()["factors"]
    assert factor["name"] == "conflict.cost.B"
    assert abs(factor["ST"] - 1) < 0.05 and abs(factor["S1"] - 1) < factor["S1_conf"] + 0.05
    again = client.post("/api/sensitivity", json=body)  # kept: no second computation
    assert again.json() == r.json()


def test_optimize_matches_the_cli_and_fearon(client):
    """Fearon/Powell with c_B ~ U[0, .3]: x* = 0.6, P(deal) = 2/3, EU = 0.5333
    (docs/design.md section 2)."""
    r = client.post("/api/optimize", json={"scenario": "fearon-1d", "samples": 20_000})
    assert r.status_code == 200, r.text
    assert r.json() == cli_json("optimize", "fearon-1d", "--samples", "20000")
    optimum = r.json()["optimum"]
    assert abs(optimum["values"]["share"] - 0.6) < 0.02
    assert abs(optimum["proposer_eu_fresh"] - 0.5333) < 0.003
    assert r.json()["bridge"]["p_deal"] >= 0.5


def test_the_same_analysis_asked_twice_at_once_runs_once():
    app = create_app()
    state = app.state.web
    calls = []
    run = state.analyses.run

    async def counted(function, *arguments):
        calls.append(function.__name__)
        return await run(function, *arguments)

    state.analyses.run = counted
    body = {"scenario": "fearon-1d", "samples": 2000, "solutions": False}

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(*(c.post("/api/optimize", json=body) for _ in range(3)))

    answers = asyncio.run(main())
    state.analyses.shutdown()
    assert [a.status_code for a in answers] == [200] * 3
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert calls == ["optimize_document"]


def test_sensitivity_errors(client):
    r = client.post("/api/sensitivity", json={"scenario": "fearon-1d", "n": 300})
    assert r.status_code == 422 and r.json()["error"]["field"] == "n"
    r = client.post("/api/sensitivity", json={"scenario": "fearon-1d", "offer": "nope"})
    assert r.status_code == 422 and "no such offer" in r.json()["error"]["message"]


def test_batched_evaluations_equal_separate_ones():
    population = gb.population(bargaining_scenario(), 3000)
    requests = [
        {"a": {"nato": 30}},
        None,  # the named offers
        {"a": {"nato": 99, "basing": "rotational"}, "reject": {}},  # a name used twice
        {"x": {"nope": 1}},
    ]
    outcomes = evaluate_together(population, requests)
    for offers, outcome in zip(requests[:3], outcomes, strict=False):
        assert outcome == gb.evaluate(population, offers).to_dict()
    assert isinstance(outcomes[3], ScenarioError) and outcomes[3].path == "offers.nope"


@pytest.mark.parametrize(("batch_offers", "engine_calls"), [(64, [20]), (8, [8, 8, 4])])
def test_requests_waiting_for_the_worker_share_one_engine_call(
    monkeypatch, batch_offers, engine_calls
):
    app = create_app()
    state = app.state.web
    batcher = state.batcher(2000)  # the quick worker's, where there is one
    batcher.max_offers = batch_offers
    calls = []
    evaluate = gb.evaluate

    def counted(population, offers):
        calls.append(len(offers))
        return evaluate(population, offers)

    monkeypatch.setattr(batching.gb, "evaluate", counted)
    shares = [i / 20 for i in range(20)]

    async def main():
        busy = asyncio.ensure_future(batcher.worker.run(lambda deadline: time.sleep(1)))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            answers = await asyncio.gather(
                *(
                    c.post(
                        "/api/evaluate",
                        json={"scenario": "fearon-1d", "samples": 2000, "offers": offers},
                    )
                    for offers in [{"x": {"share": x}} for x in shares] + [{"x": {"shar": 1}}]
                )
            )
        await busy
        return answers

    answers = asyncio.run(main())
    assert calls == engine_calls  # the 20 valid requests in as few calls as the cap allows
    population = gb.population("fearon-1d", 2000)
    for x, answer in zip(shares, answers, strict=False):
        assert answer.json() == as_sent(evaluate(population, {"x": {"share": x}}).to_dict())
    assert answers[-1].status_code == 422 and answers[-1].json()["error"]["field"] == "offers.shar"


def test_a_preview_does_not_wait_for_a_whole_sample_on_the_worker():
    """Few worlds (the page's preview while a slider moves) go to a worker of their own,
    so a whole sample's evaluation under way does not delay them; the numbers are those of
    evaluating alone. With numba's ``workqueue`` layer there is one worker (checked in
    test_web_live.py, whose server runs it)."""
    from goldenbridge.engine.threads import threadsafe

    app = create_app()
    state = app.state.web
    if not threadsafe():
        assert state.batcher(2000) is state.batcher(10**6)
        pytest.skip("numba's threading layer here is not thread-safe: one worker")
    assert state.batcher(10_000) is not state.batcher(10_001)
    started = threading.Event()

    def long_job(deadline):
        started.set()
        time.sleep(3)

    async def main():
        busy = asyncio.ensure_future(state.worker.run(long_job))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            await asyncio.to_thread(started.wait, 5)
            t0 = time.perf_counter()
            body = {"scenario": "fearon-1d", "samples": 2000, "offers": {"x": {"share": 0.6}}}
            answer = await c.post("/api/evaluate", json=body)
            waited = time.perf_counter() - t0
            still_busy = not busy.done()
        await busy
        return answer, waited, still_busy

    answer, waited, still_busy = asyncio.run(main())
    assert answer.status_code == 200 and still_busy and waited < 3
    expected = gb.evaluate(gb.population("fearon-1d", 2000), {"x": {"share": 0.6}})
    assert answer.json() == as_sent(expected.to_dict())


# ------------------------------------------------------------------ errors and limits


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ({"text": yaml.safe_dump(bad_scenario())}, "actors.US.salience.nato", ">= 0"),
        ({"document": bad_scenario()}, "actors.US.salience.nato", ">= 0"),
        ({"text": "name: [unclosed"}, "", "YAML syntax error at line"),
        ({"text": "a: &x [1, 2]\nb: *x\n"}, "", "aliases"),
        ({"text": "- just\n- a list\n"}, "", "mapping"),
        ({"text": "x", "document": {}}, "", "exactly one"),
        ({}, "", "exactly one"),
    ],
)
def test_validate_errors(client, body, path, words):
    r = client.post("/api/validate", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == (path or None) and words in error["message"]


@pytest.mark.parametrize(
    ("body", "status", "path", "words"),
    [
        ({"scenario": "/etc/passwd"}, 404, "scenario", "unknown scenario"),
        ({"scenario": "../fearon-1d.yaml"}, 404, "scenario", "built-in"),
        ({"scenario": "fearon-1d", "offers": {"x": {"shares": 1}}}, 422, "offers.shares", "issue"),
        ({"scenario": "fearon-1d", "offers": {"x": {"share": 2}}}, 422, "offers.share", "scale"),
        ({"scenario": "fearon-1d", "offers": {}}, 422, "offers", "between 1 and"),
        ({"scenario": "fearon-1d", "samples": 0}, 422, "samples", "greater than"),
        ({"scenario": "fearon-1d", "samples": 2_000_000}, 422, "samples", "at most 1,000,000"),
        ({"scenario": "fearon-1d", "seed": -1}, 422, "seed", "greater than"),
        ({"scenario": "fearon-1d", "extra": 1}, 422, "extra", "not permitted"),
        ({"scenario": bad_scenario()}, 422, "actors.US.salience.nato", ">= 0"),
        (
            {"scenario": "fearon-1d", "offers": {"x": {"share": [1]}}},
            422,
            "offers.x.share",
            "should be a number or a string",
        ),
        ({"scenario": ["fearon-1d"]}, 422, "scenario", "should be a string or an object"),
    ],
)
def test_evaluate_errors(client, body, status, path, words):
    r = client.post("/api/evaluate", json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["field"] == path and words in error["message"], error


def test_body_that_is_not_json(client):
    r = client.post(
        "/api/evaluate", content=b'{"scenario": x}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["error"] == {
        "file": None,
        "field": None,
        "message": "the request body is not valid JSON at character 13: Expecting value",
    }


def test_too_many_offers():
    with client_for(max_offers=2) as c:
        offers = {f"x{i}": {"share": 0.5} for i in range(3)}
        r = c.post("/api/evaluate", json={"scenario": "fearon-1d", "offers": offers})
        assert r.status_code == 422 and "between 1 and 2" in r.json()["error"]["message"]


def test_scenario_default_sample_size_over_the_limit():
    with client_for(max_samples=10_000) as c:
        r = c.post("/api/evaluate", json={"scenario": "fearon-1d"})  # its default is 200 000
        assert r.status_code == 422
        assert r.json()["error"] == {
            "file": None,
            "field": "samples",
            "message": "at most 10,000 samples per request on this server (scenario's default "
            "is 200,000); choose a smaller sample size",
        }


def test_a_file_named_like_a_builtin_is_never_read(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("fearon-1d").write_text("name: impostor\n")
    spec = client.get("/api/scenarios/fearon-1d").json()
    assert spec["name"] == "fearon-1d"


def test_body_limit_declared_and_streamed():
    with client_for(max_body_bytes=1000) as c:
        big = {"text": "x" * 2000}
        r = c.post("/api/validate", json=big)
        assert r.status_code == 413
        assert r.json()["error"]["message"] == (
            "request body too large: this server accepts at most 1,000 bytes"
        )

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b" " * 200

        r = c.post("/api/validate", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and "at most 1,000 bytes" in r.json()["error"]["message"]


def test_no_stack_trace_on_an_internal_error(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web_api.gb, "evaluate", broken)
    with client_for() as c:
        r = c.post("/api/evaluate", json={"scenario": "fearon-1d", "samples": 100})
    assert r.status_code == 500
    assert r.json() == {
        "error": {"file": None, "field": None, "message": "internal error (see the server's log)"}
    }


def test_compute_time_limit(monkeypatch):
    with client_for(compute_seconds=0.05) as c:
        cache = c.app.state.web.batcher(100).populations
        sample = cache.get

        def slow(*args):
            time.sleep(0.2)
            return sample(*args)

        monkeypatch.setattr(cache, "get", slow)
        r = c.post("/api/evaluate", json={"scenario": "fearon-1d", "samples": 100})
    assert r.status_code == 503
    assert "limit of 0.05 s of compute time" in r.json()["error"]["message"]


# ------------------------------------------------------------------ the worker


def test_worker_runs_one_job_at_a_time_on_one_thread():
    worker = ComputeWorker(time_limit=5)
    running, most, threads = 0, 0, set()
    lock = threading.Lock()

    def job(deadline):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        threads.add(threading.get_ident())
        time.sleep(0.002)
        with lock:
            running -= 1
        return 1

    async def main():
        return await asyncio.gather(*(worker.run(job) for _ in range(50)))

    results = asyncio.run(main())
    worker.shutdown()
    assert [r.value for r in results] == [1] * 50
    assert most == 1 and len(threads) == 1 and threading.get_ident() not in threads


def test_time_limit_counts_compute_not_queueing():
    """Eight 0.2 s jobs queue for 1.4 s in all, past the 1 s limit: all succeed."""
    worker = ComputeWorker(time_limit=1.0)

    def job(deadline):
        time.sleep(0.2)
        deadline.check()
        return deadline.elapsed

    async def main():
        return await asyncio.gather(*(worker.run(job) for _ in range(8)))

    results = asyncio.run(main())
    assert max(r.queue_s for r in results) >= 1.4
    assert all(0.2 <= r.compute_s < 1.0 for r in results)

    async def overrun():
        return await worker.run(lambda deadline: time.sleep(4))

    t0 = time.perf_counter()
    with pytest.raises(ComputeTimeout):
        asyncio.run(overrun())
    assert time.perf_counter() - t0 < 4  # answered at the limit, not when the job ends
    worker.shutdown()


def test_analysis_process_is_stopped_at_its_time_limit():
    """A job past the limit is stopped for real: its process is killed and replaced."""
    analyses = AnalysisProcess(time_limit=0.5)
    analyses.start()
    first = analyses._process

    async def main():
        with pytest.raises(ComputeTimeout):
            await analyses.run(time.sleep, 600)
        assert not first.is_alive()
        with pytest.raises(ScenarioError, match="must be >= 0"):
            await analyses.run(gb.load, bad_scenario())
        return await analyses.run(max, 3, 4)

    assert asyncio.run(main()).value == 4
    assert analyses._process is not first
    analyses.shutdown()


# ------------------------------------------------------------------ page, schema, CLI


def test_page_is_self_contained(client):
    page = client.get("/")
    assert (
        page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    )
    docs = '<a href="https://github.com/goldenbridge/goldenbridge/blob/main/docs/tutorial.md"'
    assert docs in page.text  # a link to the docs: a navigation, not a resource
    for name in ("index.html", "app.js", "charts.js", "share.js", "style.css"):
        text = (STATIC / name).read_text().replace(docs, "")
        assert "http://" not in text and "https://" not in text, name  # no CDN
    for src in (
        "/static/plotly.min.js",
        "/static/app.js",
        "/static/charts.js",
        "/static/style.css",
    ):
        assert f'"{src}"' in page.text
        assert client.get(src).status_code == 200
    assert len(client.get("/static/plotly.min.js").content) == plotly_js().stat().st_size


def test_openapi_documents_the_api(client):
    schema = client.get("/api/openapi.json").json()
    for path in ("scenarios", "scenarios/{reference}", "validate", "evaluate", "optimize"):
        assert f"/api/{path}" in schema["paths"]
    assert "/api/sensitivity" in schema["paths"]
    evaluate = schema["paths"]["/api/evaluate"]["post"]
    assert {"404", "413", "422", "503"} <= set(evaluate["responses"])
    assert client.get("/docs").status_code == 404  # its UI would load from a CDN


def test_info(client):
    info = client.get("/api/info").json()
    assert info["default_scenario"] == "russia-2021" and info["version"] == gb.__version__
    assert info["limits"]["max_samples"] == 1_000_000


def test_serve_opens_a_scenario_file(tmp_path):
    file = tmp_path / "mine.yaml"
    file.write_text(yaml.safe_dump(bargaining_scenario()))
    with TestClient(create_app(str(file))) as c:
        default = c.get("/api/info").json()["default_scenario"]
        assert c.get(f"/api/scenarios/{default}").json()["name"] == "base"


def test_serve_command_errors_and_loopback():
    result = CliRunner().invoke(cli, ["serve", "no-such-file.yaml"])
    assert result.exit_code == 2 and "error: no-such-file.yaml: no such file" in result.output
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(cli, ["serve", "fearon-1d", "--port", port])
    assert result.exit_code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in result.output
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_a_loopback_server_answers_to_loopback_names_only():
    app = create_app("fearon-1d", allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"])
    client = TestClient(app, raise_server_exceptions=False)
    for host in ("127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000"):
        assert client.get("/api/scenarios", headers={"host": host}).status_code == 200, host
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
        answer = client.get("/api/scenarios", headers={"host": host})
        assert answer.status_code == 400, host
        assert answer.json()["error"]["field"] == "headers.host"
        assert "127.0.0.1" in answer.json()["error"]["message"]
