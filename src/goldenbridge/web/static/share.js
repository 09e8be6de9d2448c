// goldenbridge web explorer: the page's state in its address, downloads, saved runs.
// Loaded after app.js and uses its state and helpers; app.js calls restoreUrlState()
// while a scenario loads and saveUrlState() whenever the offer, samples or seed change.
"use strict";

const OFFER_PREFIX = "x.";  // ?x.<issue>=<value>: the offer's issues off the status quo
let urlRestorePending = true;  // the address is read once, for the first scenario

const urlParams = () => new URLSearchParams(window.location.search);

// The scenario the address names (at start), or null.
function urlScenario() {
  return urlParams().get("scenario");
}

// The address's sample size, seed and offer, applied to a scenario being loaded.
function restoreUrlState(s) {
  if (!urlRestorePending) return;
  urlRestorePending = false;
  const params = urlParams();
  if (params.get("scenario") !== s.id) return;
  const samples = Number(params.get("samples"));
  if (params.has("samples") && Number.isInteger(samples) && samples >= 1) {
    state.samples = Math.min(samples, state.info.limits.max_samples);
    $("samples").value = state.samples;
  }
  const seed = Number(params.get("seed"));
  if (params.has("seed") && Number.isInteger(seed) && seed >= 0) {
    state.seed = seed;
    $("seed").value = seed;
  }
  for (const issue of s.issues) {
    const raw = params.get(OFFER_PREFIX + issue.name);
    if (raw === null) continue;
    if (issue.discrete) {
      if (issue.options.includes(raw)) state.offer[issue.name] = raw;
    } else {
      const value = Number(raw);
      if (raw !== "" && Number.isFinite(value) && value >= issue.min && value <= issue.max) {
        state.offer[issue.name] = value;
      }
    }
  }
}

// The current scenario, sample size, seed and offer into the address (no new history entry).
function saveUrlState() {
  if (!state.scenario) return;
  const params = new URLSearchParams();
  params.set("scenario", state.scenario.id);
  params.set("samples", String(state.samples));
  params.set("seed", String(state.seed));
  for (const issue of state.scenario.issues) {
    const value = state.offer[issue.name];
    if (value !== issue.status_quo) params.set(OFFER_PREFIX + issue.name, String(value));
  }
  const url = `${window.location.pathname}?${params}`;
  if (url !== window.location.pathname + window.location.search) {
    window.history.replaceState(null, "", url);
  }
}

// ---------------------------------------------------------------- downloads

function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const fileStem = () => state.scenario.name.replace(/[^A-Za-z0-9._-]+/g, "-");

// What is on screen, as the API answered it (the shapes of the CLI's --json).
function resultsDocument() {
  return {
    scenario: state.scenario.id,
    samples: state.samples,
    seed: state.seed,
    offer: { ...state.offer },
    current: state.current,  // its own "samples": fewer while a preview is on screen
    preview: state.preview,
    named: state.named,
    optimize: state.optimum,
  };
}

const csvField = (value) => {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

// One row per package on screen (the named offers, then the current offer).
function resultsCsv() {
  const offers = [...((state.named && state.named.offers) || [])];
  if (state.current) offers.push({ ...state.current.offers[0], name: "current" });
  const issues = state.scenario.issues.map((i) => i.name);
  const actors = offers.length ? Object.keys(offers[0].actors) : [];
  const columns = ["package", ...issues, "p_deal", "p_deal_se", "p_war", "p_war_se",
    "p_deterred", "proposer_eu", "proposer_eu_se", ...actors.map((a) => `${a}.p_accept`)];
  const rows = [columns];
  for (const o of offers) {
    rows.push([o.name, ...issues.map((i) => o.values[i]), o.p_deal, o.p_deal_se, o.p_war,
      o.p_war_se, o.p_deterred, o.proposer_eu, o.proposer_eu_se,
      ...actors.map((a) => o.actors[a].p_approve ?? o.actors[a].p_accept)]);
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

async function downloadBrief() {
  const button = $("download-brief");
  const status = $("share-status");
  button.disabled = true;
  status.textContent = "building the brief (the analyses take up to a minute)…";
  let response;
  try {
    response = await fetch("/api/brief", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ scenario: state.scenario.id, samples: state.samples,
        seed: state.seed }),
    });
  } catch (exc) {
    response = null;
  }
  button.disabled = false;
  if (!response || !response.ok) {
    let message = response ? `HTTP ${response.status}` : "cannot reach the server";
    try {
      const error = (await response.json()).error;
      message = error.field ? `${error.field}: ${error.message}` : error.message;
    } catch (exc) { /* not JSON: keep the status */ }
    status.textContent = `no brief: ${message}`;
    return;
  }
  download(`${fileStem()}-brief.html`, "text/html", await response.text());
  status.textContent = "brief downloaded";
}

// ---------------------------------------------------------------- saved runs

async function listRuns() {
  const box = $("runs-list");
  const scenario = state.scenario.name;
  const answer = await api(`/api/runs?scenario=${encodeURIComponent(scenario)}`);
  if (!state.scenario || state.scenario.name !== scenario) return;  // another scenario since
  box.replaceChildren();
  if (!answer.ok || answer.data.error) {
    box.append(el("li", { class: "muted", text: answer.ok ? answer.data.error : answer.error.message }));
    return;
  }
  if (!answer.data.runs.length) {
    box.append(el("li", { class: "muted", text: `No saved runs of ${scenario} yet ` +
      "(every goldenbridge command-line analysis is saved)." }));
    return;
  }
  for (const r of answer.data.runs) {
    const when = r.created.replace("T", " ").replace("Z", " UTC");
    box.append(el("li", { "data-run": r.id },
      el("code", { text: `run ${r.id}` }),
      ` ${r.command} · ${when} · seed ${r.seed ?? "–"} · scenario `,
      el("code", { text: r.scenario_hash.slice(0, 12), title: r.scenario_hash }),
      ` · goldenbridge ${r.version} — `,
      el("code", { text: `goldenbridge runs show ${r.id}` })));
  }
}

function initShare() {
  $("download-json").addEventListener("click", () =>
    download(`${fileStem()}-results.json`, "application/json",
      JSON.stringify(resultsDocument(), null, 2) + "\n"));
  $("download-csv").addEventListener("click", () =>
    download(`${fileStem()}-results.csv`, "text/csv", resultsCsv()));
  $("download-brief").addEventListener("click", downloadBrief);
}

document.addEventListener("DOMContentLoaded", initShare);
