// goldenbridge web explorer: move the offer, watch the odds.

// The target's P(accept) or a veto's / stakeholder's P(approve), and its standard error.
const yes = (odds) => odds.p_accept ?? odds.p_approve;
const yesSe = (odds) => odds.p_accept_se ?? odds.p_approve_se;
// Talks only to this server's /api/. Server text is always inserted as text, never as HTML.
"use strict";

const state = {
  info: null,          // /api/info
  scenario: null,      // /api/scenarios/{id}
  offer: {},           // issue -> value of the current offer
  samples: null,
  seed: null,
  named: null,         // evaluation of the named offers (for the packages chart)
  optimum: null,       // /api/optimize: optimum, golden bridge, frontier
  optimizeSeq: 0,      // number of the newest optimisation asked for
  current: null,       // evaluation of the current offer
  seq: 0,              // number of the newest request sent for the current offer
  applied: 0,          // number of the request whose answer is on screen
  inFlight: false,
  pending: false,
  preview: false,      // the answer on screen is a preview on fewer worlds
  previewSamples: 2000,  // worlds of the next preview (PREVIEW_SIZES)
  msPerWorld: null,    // server compute per world of the previews so far (ms)
  settle: null,        // timer: the whole sample once the offer rests
  wholeInFlight: false,  // a whole sample's request is on its way
  wholeWanted: null,   // the rested move whose whole sample waits for that one
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
  let response;
  try {
    response = await fetch(path, init);
  } catch (exc) {
    return { ok: false, status: 0, error: { path: "", message: "cannot reach the server" } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch (exc) {
    data = null;
  }
  if (response.ok) return { ok: true, status: response.status, data, response };
  const error = (data && data.error) || { path: "", message: `HTTP ${response.status}` };
  return { ok: false, status: response.status, error };
}

function showFieldError(node, error) {
  node.replaceChildren();
  if (!error) {
    node.hidden = true;
    return;
  }
  if (error.field) node.append(el("code", { text: error.field }), ": ");
  node.append(error.message);
  node.hidden = false;
}

function setStatus(text, isError = false) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

const pct = (p) => (p === null || p === undefined ? "–" : `${(100 * p).toFixed(1)}%`);
const pctSe = (p, se) => `${pct(p)} ± ${(100 * se).toFixed(1)}`;

// ---------------------------------------------------------------- scenario and controls

async function init() {
  $("settings").addEventListener("submit", (event) => event.preventDefault());
  const [info, list] = await Promise.all([api("/api/info"), api("/api/scenarios")]);
  if (!info.ok || !list.ok) {
    setStatus("cannot load the server's scenarios", true);
    return;
  }
  state.info = info.data;
  const select = $("scenario-select");
  for (const s of list.data.scenarios) {
    select.append(el("option", { value: s.name, text: s.name }));
  }
  let start = state.info.default_scenario;
  const asked = urlScenario();  // share.js: a shared link's scenario, if the server has it
  if (asked && (await api(`/api/scenarios/${encodeURIComponent(asked)}`)).ok) start = asked;
  if (![...select.options].some((o) => o.value === start)) {
    select.append(el("option", { value: start, text: start }));
  }
  select.value = start;
  select.addEventListener("change", () => loadScenario(select.value));
  $("upload").addEventListener("change", upload);
  $("samples").max = state.info.limits.max_samples;
  $("samples").addEventListener("change", () => {
    state.samples = Number($("samples").value);
    refresh();
  });
  $("seed").addEventListener("change", () => {
    state.seed = Number($("seed").value);
    refresh();
  });
  $("sensitivity-run").addEventListener("click", explain);
  $("search-offers").addEventListener("click", searchOffers);
  $("target-p").addEventListener("change", () => state.optimum && searchOffers());
  $("bridge-by").addEventListener("change", () => {
    // the bridge's criterion is also the packages chart's axis: P(war) or P(deal)
    $("target-p").placeholder = bridgeBy() === "p_war" ? "half of offering nothing's" : "0.5";
    // the search's bridge and frontier answer the other criterion: search again when asked
    if (state.optimum) clearSearch();
    drawPackages();
  });
  $("jump-optimum").addEventListener("click", () => applyOffer(state.optimum.optimum.values));
  $("jump-bridge").addEventListener("click", () => applyOffer(state.optimum.bridge.values));
  await loadScenario(start);
}

async function loadScenario(id) {
  const answer = await api(`/api/scenarios/${encodeURIComponent(id)}`);
  if (!answer.ok) {
    setStatus(answer.error.message, true);
    return;
  }
  const s = answer.data;
  state.scenario = s;
  state.samples = Math.min(s.samples, state.info.limits.max_samples);
  state.seed = s.seed;
  $("samples").value = state.samples;
  $("seed").value = state.seed;
  $("scenario-title").textContent = `— ${s.name}`;
  $("scenario-description").textContent = s.description;
  const rate = s.base_rate;  // ICB base rate of a library case (docs/track-record.md)
  $("base-rate").hidden = !rate;
  $("base-rate").textContent = rate
    ? `Base rate: ${pct(rate.p_war)} of ${rate.n} ICB crises like this one ended in ` +
      `full-scale war (95% interval ${pct(rate.low)}–${pct(rate.high)}).`
    : "";
  $("eu-label").textContent = `${s.proposer}'s expected utility`;
  state.offer = {};
  for (const issue of s.issues) state.offer[issue.name] = issue.status_quo;
  state.previewSamples = PREVIEW_START;  // each scenario's previews timed afresh
  state.msPerWorld = null;
  restoreUrlState(s);  // share.js: a shared link's samples, seed and offer (first load)
  buildPresets();
  buildIssues();
  $("sensitivity-chart").hidden = true;
  $("sensitivity-status").textContent = "";
  state.named = null;
  state.current = null;
  clearOdds();
  clearSearch();
  drawPackages();
  refresh();
  listRuns();  // share.js
}

// The named offers, with the status quo first unless one of them already is it.
function namedOffers() {
  const s = state.scenario;
  const isStatusQuo = (values) => s.issues.every((i) => values[i.name] === i.status_quo);
  const hasStatusQuo = Object.values(s.offers).some(isStatusQuo);
  return hasStatusQuo ? { ...s.offers } : { status_quo: {}, ...s.offers };
}

function buildPresets() {
  const box = $("presets");
  box.replaceChildren();
  const offers = namedOffers();
  for (const [name, values] of Object.entries(offers)) {
    const button = el("button", {
      type: "button", "data-offer": name, text: name, "aria-pressed": "false",
    });
    button.addEventListener("click", () => applyOffer(values, name));
    box.append(button);
  }
}

function step(issue) {
  const width = issue.max - issue.min;
  return width / 100;
}

function nearestLabel(issue, value) {
  let best = null;
  for (const point of issue.labels) {
    if (best === null || Math.abs(point.value - value) < Math.abs(best.value - value)) best = point;
  }
  return best;
}

function formatValue(issue, value) {
  if (issue.discrete) return String(value);
  const decimals = step(issue) < 1 ? Math.max(0, -Math.floor(Math.log10(step(issue)))) : 0;
  return Number(value).toFixed(decimals);
}

function buildIssues() {
  const box = $("issues");
  box.replaceChildren();
  for (const issue of state.scenario.issues) {
    const id = `issue-${issue.name}`;
    const value = el("span", { class: "issue-value", id: `${id}-value` });
    const head = el("div", { class: "issue-head" },
      el("label", { for: id, text: issue.label }), value);
    const row = el("div", { class: "issue", "data-issue": issue.name }, head);
    if (issue.discrete) {
      const select = el("select", { id, "data-issue": issue.name });
      for (const option of issue.options) select.append(el("option", { value: option, text: option }));
      select.addEventListener("change", () => setIssue(issue, select.value));
      row.append(select);
    } else {
      const slider = el("input", {
        type: "range", id, "data-issue": issue.name,
        min: issue.min, max: issue.max, step: step(issue),
      });
      slider.addEventListener("input", () => setIssue(issue, Number(slider.value)));
      row.append(slider);
      const ticks = el("div", { class: "ticks", "aria-hidden": "true" });
      for (const point of issue.labels) {
        const left = (100 * (point.value - issue.min)) / (issue.max - issue.min);
        const tick = el("span", { text: formatValue(issue, point.value), title: point.label });
        tick.style.left = `${left}%`;
        // labels at the ends grow inwards, so that none is cut off at the panel's edge
        if (left < 10) tick.style.transform = "translateX(0)";
        if (left > 90) tick.style.transform = "translateX(-100%)";
        ticks.append(tick);
      }
      row.append(ticks);
      row.append(el("div", { class: "scale-label", id: `${id}-label` }));
    }
    box.append(row);
  }
  showOffer();
}

function showOffer() {
  for (const issue of state.scenario.issues) {
    const id = `issue-${issue.name}`;
    const value = state.offer[issue.name];
    $(id).value = value;
    $(`${id}-value`).textContent = formatValue(issue, value);
    if (!issue.discrete) {
      // the nearest labelled point of the scale, unless it is far (a quarter of the scale)
      const point = nearestLabel(issue, value);
      const far = point !== null && Math.abs(point.value - value) > (issue.max - issue.min) / 4;
      const text = point === null || far ? "" :
        `${point.value === value ? "" : "≈ "}${formatValue(issue, point.value)}: ${point.label}`;
      $(`${id}-label`).textContent = text;
      // what a screen reader says for the slider: the value and the nearest scale label
      $(id).setAttribute("aria-valuetext",
        text ? `${formatValue(issue, value)} (${text})` : formatValue(issue, value));
    }
  }
}

function markPreset(name) {
  for (const button of $("presets").querySelectorAll("button")) {
    button.classList.toggle("active", button.dataset.offer === name);
    button.setAttribute("aria-pressed", String(button.dataset.offer === name));
  }
}

function setIssue(issue, value) {
  state.offer[issue.name] = value;
  markPreset(null);
  showOffer();
  requestUpdate();
}

function applyOffer(values, name = null) {
  for (const issue of state.scenario.issues) {
    state.offer[issue.name] = issue.name in values ? values[issue.name] : issue.status_quo;
  }
  markPreset(name);
  showOffer();
  requestUpdate();
}

async function upload() {
  const file = $("upload").files[0];
  if (!file) return;
  const text = await file.text();
  const answer = await api("/api/validate", { text, filename: file.name });
  $("upload").value = "";
  if (!answer.ok) {
    showFieldError($("upload-error"), answer.error);
    return;
  }
  showFieldError($("upload-error"), null);
  const select = $("scenario-select");
  if (![...select.options].some((o) => o.value === answer.data.id)) {
    select.append(el("option", { value: answer.data.id, text: `${answer.data.scenario} (uploaded)` }));
  }
  select.value = answer.data.id;
  await loadScenario(answer.data.id);
}

// ---------------------------------------------------------------- evaluation

// What an answer depends on besides the offer: one for another context is never shown.
const context = () => `${state.scenario.id}|${state.samples}|${state.seed}`;

function request(offers) {
  return {
    scenario: state.scenario.id, offers, samples: state.samples, seed: state.seed,
  };
}

// A new sample size, seed or scenario: the named offers and the current offer again.
function refresh() {
  evaluateNamed();
  requestUpdate();
}

function clearSearch() {
  state.optimizeSeq += 1;  // an answer still on its way is no longer wanted
  state.optimum = null;
  $("jump-optimum").disabled = true;
  $("jump-bridge").disabled = true;
  $("search-offers").disabled = false;
  $("optimize-status").textContent = "Search all offers for the risk-return optimum, the " +
    "golden bridge and the frontier (seconds to a minute).";
}

// The optimiser searches on at most this many worlds: it takes seconds to minutes, and on
// few cores it competes with the sliders for them, so it runs only when asked.
const SEARCH_SAMPLES = 20000;

// The golden bridge's criterion (and the packages chart's axis): "p_war" (the default:
// the best offer with P(war) at most the target) or "p_deal" (P(deal) at least it).
const bridgeBy = () => $("bridge-by").value;

async function searchOffers() {
  const seq = ++state.optimizeSeq;
  const samples = Math.min(state.samples, SEARCH_SAMPLES);
  const typed = $("target-p").value.trim();
  const target = typed === "" ? null : Number(typed);
  $("search-offers").disabled = true;
  $("optimize-status").textContent =
    `searching all offers on ${samples.toLocaleString()} worlds…`;
  const body = { scenario: state.scenario.id, samples, seed: state.seed, solutions: false };
  if (bridgeBy() === "p_deal") body.target_p = target === null ? 0.5 : target;
  else if (target !== null) body.max_p_war = target;
  const answer = await api("/api/optimize", body);
  if (seq !== state.optimizeSeq) return;  // the scenario changed, or a newer search began
  $("search-offers").disabled = false;
  if (!answer.ok) {
    $("optimize-status").textContent = answer.error.field ?
      `${answer.error.field}: ${answer.error.message}` : answer.error.message;
    return;
  }
  const doc = answer.data;
  state.optimum = doc;
  const o = doc.optimum;
  let text = `Risk-return optimum (${describeOffer(o.values)}): P(war) ${pct(o.p_war)}, ` +
    `P(deal) ${pct(o.p_deal)}, EU ${o.proposer_eu.toFixed(3)} (on fresh worlds: ` +
    `${pct(o.p_deal_fresh)} deals, EU ${o.proposer_eu_fresh.toFixed(3)}). `;
  const byWar = doc.bridge_by === "p_war";
  const goal = byWar ? `P(war) ≤ ${pct(doc.target_p)}` : `P(deal) ≥ ${pct(doc.target_p)}`;
  if (byWar !== (bridgeBy() === "p_war")) {
    // the per-world rule (every ally informed, no face) searches by P(deal) only
    text += "(Under this scenario's rule the bridge is searched by P(deal).) ";
  }
  if (doc.bridge) {
    const b = doc.bridge;
    text += `Golden bridge, the best offer for ${state.scenario.proposer} with ${goal} ` +
      `(${describeOffer(b.values)}): P(war) ${pct(b.p_war)}, P(deal) ${pct(b.p_deal)}, ` +
      `${state.scenario.proposer}'s utility if accepted ${b.proposer_u.toFixed(3)}. `;
  } else {
    text += `No offer found reaches ${goal}. `;
    const why = doc.no_bridge;
    const blocker = why && why.vetoes.find((v) => v.values);
    if (why) {
      text += `Conceding towards ${state.scenario.target}'s position, P(war) is lowest at ` +
        `${pct(why.best_p_war)} (${describeOffer(why.best_values)})` +
        (blocker ? `; from ${describeOffer(blocker.values)} on, ${blocker.actor} approves ` +
          `in only ${pct(blocker.p_approve)}. ` : ". ");
    }
  }
  text += `Searched on ${doc.samples.toLocaleString()} worlds (${doc.method}` +
    `${doc.exact ? ", exact" : ""}).`;
  $("optimize-status").textContent = text;
  $("jump-optimum").disabled = false;
  $("jump-bridge").disabled = !doc.bridge;
  drawPackages();
}

async function evaluateNamed() {
  const scenarioId = state.scenario.id;
  const asked = { samples: state.samples, seed: state.seed };
  const answer = await api("/api/evaluate", request(namedOffers()));
  const stillWanted = scenarioId === state.scenario.id && asked.samples === state.samples &&
    asked.seed === state.seed;
  if (!stillWanted) return;  // stale: the scenario or the sample moved on meanwhile
  state.named = answer.ok ? answer.data : null;
  drawPackages();
}

// On a large sample an answer comes in two passes. While the offer moves, each move is
// answered on a preview: a sample of a few thousand worlds (labelled a preview, with its
// own, wider, standard errors), as many as the server computes within PREVIEW_BUDGET_MS as
// measured on the previews so far (PREVIEW_SIZES, at most the server's quick_samples: those
// run on a worker of their own). Once the offer has rested SETTLE_MS the whole sample is
// asked for, and its answer replaces the preview.
const PREVIEW_SIZES = [1000, 2000, 5000, 10000];
const PREVIEW_START = 2000;     // until a preview has been timed
const PREVIEW_BUDGET_MS = 15;   // server compute per preview (the page: 60 ms in all; about
// 25 ms more go to the round trip, the browser and the wait for a frame, at load 2 here)
const SETTLE_MS = 250;
const previewing = () => state.samples >= 4 * state.previewSamples;

// The preview size whose compute the last previews' per-world time puts within the budget.
function previewSize() {
  if (state.msPerWorld === null) return state.previewSamples;
  const quick = state.info.limits.quick_samples || PREVIEW_SIZES[PREVIEW_SIZES.length - 1];
  const fits = PREVIEW_SIZES.filter(
    (n) => n <= quick && n * state.msPerWorld <= PREVIEW_BUDGET_MS);
  return fits.length ? fits[fits.length - 1] : PREVIEW_SIZES[0];
}

// Ask for the current offer. One request at a time: moves made meanwhile are coalesced
// into the next request, and an answer is shown only if no newer one is on screen.
function requestUpdate() {
  saveUrlState();  // share.js: the address always reproduces the page
  state.seq += 1;
  clearTimeout(state.settle);
  if (state.inFlight) {
    state.pending = true;
    return;
  }
  send();
}

// The stream that follows the offer: a preview on a large sample, else the whole sample.
async function send() {
  const seq = state.seq;
  const asked = context();
  const preview = previewing();
  state.inFlight = true;
  state.pending = false;
  const answer = await ask(preview ? state.previewSamples : state.samples, seq, asked, preview);
  state.inFlight = false;
  if (state.pending) send();
  else if (preview && answer.ok && seq === state.seq && asked === context()) {
    state.settle = setTimeout(() => sendWhole(seq), SETTLE_MS);  // unless the offer moves
  }
}

// The whole sample for move ``seq``, once the offer has rested; one such request at a
// time (the server cannot stop one under way), the newest rested move after it.
async function sendWhole(seq) {
  if (seq !== state.seq) return;  // moved meanwhile: that move asks when it rests
  if (state.wholeInFlight) {
    state.wholeWanted = seq;
    return;
  }
  const asked = context();
  state.wholeInFlight = true;
  await ask(state.samples, seq, asked, false);
  state.wholeInFlight = false;
  const next = previewSize();
  if (next !== state.previewSamples && asked === context()) {
    state.previewSamples = next;  // sample the new preview's worlds now, not on a move
    api("/api/evaluate", { ...request({ current: { ...state.offer } }), samples: next });
  }
  if (state.wholeWanted !== null) {
    const wanted = state.wholeWanted;
    state.wholeWanted = null;
    sendWhole(wanted);
  }
}

// One evaluation of the current offer on ``samples`` worlds; shown if still wanted.
async function ask(samples, seq, asked, preview) {
  const started = performance.now();
  const body = request({ current: { ...state.offer } });
  body.samples = samples;
  const answer = await api("/api/evaluate", body);
  const timing = answer.ok ? answer.response.headers.get("server-timing") || "" : "";
  const compute = /compute;dur=([\d.]+)/.exec(timing);
  const sampling = /sample;dur=([\d.]+)/.exec(timing);  // a population's first request
  if (preview && compute && !sampling && asked === context()) {  // a preview's cost per world
    const ms = Number(compute[1]) / samples;
    state.msPerWorld = state.msPerWorld === null ? ms : 0.7 * state.msPerWorld + 0.3 * ms;
  }
  // Shown only if no newer answer is on screen (the whole sample's answer replaces the
  // preview of the same move) and the scenario, sample size and seed are still those it
  // was asked for (a change of them has queued a newer request).
  const newer = seq > state.applied || (seq === state.applied && state.preview && !preview);
  if (!newer || asked !== context()) return answer;
  state.applied = seq;
  state.preview = preview;
  if (answer.ok) {
    showFieldError($("samples-error"), null);
    state.current = answer.data;
    render(answer.data.offers[0], seq);
    $("odds-preview").hidden = !preview;
    $("odds-preview").textContent = preview ?
      `· a preview on ${samples.toLocaleString()} worlds; ` +
      `all ${state.samples.toLocaleString()} once the offer rests…` : "";
    setStatus((preview ? "preview: " : "") +
      `${answer.data.samples.toLocaleString()} worlds, seed ${answer.data.seed} · ` +
      `update ${Math.round(performance.now() - started)} ms` +
      (compute ? ` (compute ${Math.round(Number(compute[1]))} ms)` : "") +
      (preview ? ` · all ${state.samples.toLocaleString()} once the offer rests…` : ""));
  } else if (answer.error.field === "samples") {
    showFieldError($("samples-error"), answer.error);
    setStatus("", false);
  } else {
    setStatus(answer.error.field ? `${answer.error.field}: ${answer.error.message}` :
      answer.error.message, true);
  }
  return answer;
}

// ---------------------------------------------------------------- drawing

// A new scenario: no odds until its first answer (never the old scenario's).
function clearOdds() {
  $("odds-preview").hidden = true;
  for (const id of ["p-deal", "p-war", "p-no-deal-no-war", "proposer-eu"]) {
    const node = $(id);
    node.textContent = "–";
    delete node.dataset.value;
    delete node.dataset.seq;
  }
  $("actors-table").querySelector("tbody").replaceChildren();
  $("types").replaceChildren();
  if (window.Plotly) Plotly.purge("odds-chart");
  delete $("odds-chart").dataset.seq;
}

// A standard error to two significant digits (0.0004 rather than 0.000).
const fmtSe = (se) => (se >= 0.01 ? se.toFixed(3) : Number(se.toPrecision(2)).toString());

function setStat(id, value, se) {
  const node = $(id);
  node.textContent = se === undefined ? pct(value) : pctSe(value, se);
  node.dataset.value = String(value);
}

function render(result, seq) {
  const s = state.scenario;
  setStat("p-deal", result.p_deal, result.p_deal_se);
  $("p-deal").dataset.seq = String(seq);
  setStat("p-war", result.p_war, result.p_war_se);
  setStat("p-no-deal-no-war", result.p_deterred, result.p_deterred_se);
  const eu = $("proposer-eu");
  eu.textContent = `${result.proposer_eu.toFixed(3)} ± ${fmtSe(result.proposer_eu_se)}`;
  eu.dataset.value = String(result.proposer_eu);
  // the answer in one plain sentence (read out once by screen readers: aria-live)
  const vetoes = Object.entries(result.actors).filter(([, o]) => o.role === "veto");
  const blocker = vetoes.sort((a, b) => a[1].p_approve - b[1].p_approve)[0];
  $("answer").textContent = !result.offered
    ? `This offers nothing, so a deal is signed in ${pct(0)} of the sampled worlds: war ` +
      `follows in ${pct(result.p_war)} and deterrence holds in the rest.`
    : `If ${s.proposer} makes this offer, a deal is signed in ${pct(result.p_deal)} of the ` +
      `sampled worlds and war follows in ${pct(result.p_war)}; in the rest no deal is made ` +
      "and deterrence holds" +
      (blocker && blocker[1].p_approve < 0.5
        ? ` (${blocker[0]} approves the offer in only ${pct(blocker[1].p_approve)}).`
        : ".");

  const body = $("actors-table").querySelector("tbody");
  body.replaceChildren();
  const roles = Object.fromEntries(s.actors.map((a) => [a.name, a.role]));
  for (const [name, odds] of Object.entries(result.actors)) {
    body.append(el("tr", { "data-actor": name },
      el("td", { text: name }), el("td", { text: roles[name] }),
      el("td", { class: "num", text: pctSe(yes(odds), yesSe(odds)) }),
      el("td", { class: "num", text: pct(odds.p_sole_blocker ?? 0) })));
  }
  drawTypes(result);
  scheduleCharts(result, seq);
}

// The numbers above are painted at once; the charts are drawn after that frame's paint
// (a requestAnimationFrame callback runs before its frame is painted, so charts drawn in
// it would hold the numbers back until they are done), once for the newest answer however
// many arrived meanwhile.
let chartsDue = null;

function scheduleCharts(result, seq) {
  const first = chartsDue === null;
  chartsDue = { result, seq };
  if (!first) return;
  requestAnimationFrame(() => setTimeout(() => {
    const due = chartsDue;
    chartsDue = null;
    drawOdds(due.result);
    drawPackages();
    $("odds-chart").dataset.seq = String(due.seq);
  }, 0));
}

function drawTypes(result) {
  const box = $("types");
  box.replaceChildren();
  const entries = Object.entries(result.types);
  if (entries.length === 0) {
    box.append(el("p", { class: "muted", text: "No actor in this scenario has types." }));
    return;
  }
  for (const [actor, types] of entries) {
    box.append(el("h3", { text: actor }));
    const table = el("table", { "data-actor": actor },
      el("thead", {}, el("tr", {},
        el("th", { text: "type" }), el("th", { class: "num", text: "share of worlds" }),
        el("th", { class: "num", text: `P(${actor} accepts)` }),
        el("th", { class: "num", text: "P(deal)" }))));
    const body = el("tbody");
    for (const [name, odds] of Object.entries(types)) {
      body.append(el("tr", {}, el("td", { text: name }),
        el("td", { class: "num", text: pct(odds.weight) }),
        el("td", { class: "num", text: pct(odds.p_accept) }),
        el("td", { class: "num", text: pct(odds.p_deal) })));
    }
    table.append(body);
    box.append(table);
  }
}

// ---------------------------------------------------------------- sensitivity (on demand)

function describeOffer(values) {
  return state.scenario.issues.map((i) => `${i.name} ${formatValue(i, values[i.name])}`)
    .join(", ");
}

async function explain() {
  const button = $("sensitivity-run");
  const status = $("sensitivity-status");
  const scenarioId = state.scenario.id;
  const offer = { ...state.offer };
  const output = $("sensitivity-output").value;
  button.disabled = true;
  status.textContent = "computing (a few seconds)…";
  const started = performance.now();
  const answer = await api("/api/sensitivity", {
    scenario: scenarioId, offer, output, n: Number($("sensitivity-n").value), seed: state.seed,
  });
  button.disabled = false;
  if (scenarioId !== state.scenario.id) return;  // the scenario changed meanwhile
  if (!answer.ok) {
    status.textContent = answer.error.field ?
      `${answer.error.field}: ${answer.error.message}` : answer.error.message;
    return;
  }
  const doc = answer.data;
  status.textContent = `for the offer ${describeOffer(offer)}: ${doc.runs.toLocaleString()} ` +
    `model runs, ${((performance.now() - started) / 1000).toFixed(1)} s. Total index: the ` +
    "share of the outcome's variance that goes with the input, interactions included; " +
    "first order: alone. Bars: 95% bootstrap intervals.";
  drawSensitivity(doc);
}

document.addEventListener("DOMContentLoaded", init);
