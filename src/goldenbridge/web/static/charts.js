// goldenbridge web explorer: the charts. Each chart has its numbers as a text table right
// behind it (a <details> under the chart, read by screen readers and by anyone who wants
// the figures), and no single outlier may stretch an axis: values far outside the others
// are drawn at the axis edge as triangles, labelled with their true value.
// Uses app.js's globals (state, $, el, pct, pctSe, yes, yesSe) at call time.
"use strict";

const plotConfig = { displayModeBar: false, responsive: true };
const plotFont = { family: "system-ui, sans-serif", size: 12 };

// ---------------------------------------------------------------- robust axis limits

// The q-quantile of sorted numbers, interpolated linearly between order statistics
// (Hyndman and Fan's type 7: numpy's and R's default).
function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

// Axis limits that one outlier cannot stretch. Values outside Tukey's far fences
// (Q1 - k IQR, Q3 + k IQR; Tukey 1977, Exploratory Data Analysis, ch. 2) are outliers;
// the axis spans the other values, padded by 8% of their range. With fewer than 5 values
// nothing is called an outlier. When the IQR is 0 (most values equal), the fences use 5%
// of the median's magnitude (at least 0.05) instead.
// Returns {range: [lo, hi], low, high}: values below `low` or above `high` are off the scale.
function robustRange(values, k = 3) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { range: [0, 1], low: -Infinity, high: Infinity };
  let low = -Infinity;
  let high = Infinity;
  if (v.length >= 5) {
    const q1 = quantile(v, 0.25);
    const q3 = quantile(v, 0.75);
    const spread = q3 - q1 || Math.max(0.05 * Math.abs(quantile(v, 0.5)), 0.05);
    low = q1 - k * spread;
    high = q3 + k * spread;
  }
  const inside = v.filter((x) => x >= low && x <= high);
  const lo = inside[0];
  const hi = inside[inside.length - 1];
  const pad = (hi - lo) * 0.08 || Math.max(0.05 * Math.abs(lo), 0.05);
  return { range: [lo - pad, hi + pad], low, high };
}

// Where an off-scale value is drawn: just inside the axis edge it lies beyond.
function clampToAxis(y, limits) {
  const [lo, hi] = limits.range;
  const edge = (hi - lo) * 0.04;
  return y > limits.high ? hi - edge : lo + edge;
}

// ---------------------------------------------------------------- the tables

// Fill the table behind chart `id` (<details id="{id}-data">): column heads, then rows of
// cells; a cell is text, or [text, "num"] for a right-aligned number.
function chartTable(id, heads, rows) {
  const table = $(`${id}-data`).querySelector("table");
  const head = table.querySelector("thead");
  const body = table.querySelector("tbody");
  head.replaceChildren(el("tr", {}, ...heads.map((h, i) =>
    el("th", { scope: "col", class: i === 0 ? "" : "num", text: h }))));
  body.replaceChildren(...rows.map((cells) => el("tr", {}, ...cells.map((cell, i) => {
    const [text, kind] = Array.isArray(cell) ? cell : [cell, ""];
    return i === 0 ? el("th", { scope: "row", text }) : el("td", { class: kind, text });
  }))));
  $(`${id}-data`).hidden = rows.length === 0;
}

const fixed3 = (x) => (x === null || x === undefined ? "–" : x.toFixed(3));

// ---------------------------------------------------------------- the odds

function drawOdds(result) {
  const labels = [];
  const values = [];
  const errors = [];
  const colors = [];
  for (const [name, odds] of Object.entries(result.actors)) {
    labels.push(odds.role === "target" ? `${name} accepts` : `${name} approves`);
    values.push(yes(odds));
    errors.push(yesSe(odds));
    colors.push("#8aa1c1");
  }
  labels.push("deal", "war");
  values.push(result.p_deal, result.p_war);
  errors.push(result.p_deal_se, result.p_war_se);
  colors.push("#b8860b", "#b42318");
  chartTable("odds-chart", ["event", "probability", "± SE"],
    labels.map((label, i) => [label, [pct(values[i]), "num"],
      [(100 * errors[i]).toFixed(1), "num"]]));
  if (!window.Plotly) return;
  Plotly.react("odds-chart", [{
    type: "bar", orientation: "h", y: labels, x: values,
    error_x: { type: "data", array: errors, visible: true, color: "#333" },
    marker: { color: colors },
    hovertemplate: "%{y}: %{x:.1%}<extra></extra>",
  }], {
    margin: { l: 10, r: 20, t: 10, b: 35 }, height: 40 + 32 * labels.length,
    xaxis: { range: [0, 1], tickformat: ".0%", title: { text: "probability" } },
    yaxis: { autorange: "reversed", automargin: true }, font: plotFont,
  }, plotConfig);
}

// ---------------------------------------------------------------- the packages

// Labels that never overlap or clip: each label is an annotation beside its point, on the
// right or the left, moved up or down (with a leader line) until its box overlaps no other
// label and no point and lies inside the plot area. Runs after the chart is drawn, on
// plotly's own pixel scales; the boxes' widths are estimated from the text's length.
function placeLabels(chart, items) {
  const size = chart._fullLayout._size;
  const xa = chart._fullLayout.xaxis;
  const ya = chart._fullLayout.yaxis;
  const at = items.map((item) => ({ ...item, px: xa.l2p(item.x), py: ya.l2p(item.y) }))
    .sort((a, b) => a.py - b.py || a.px - b.px);
  const boxes = at.map((p) => ({ x0: p.px - 6, x1: p.px + 6, y0: p.py - 6, y1: p.py + 6 }));
  const free = (box) => box.x0 >= 0 && box.x1 <= size.w && box.y0 >= 0 && box.y1 <= size.h &&
    !boxes.some((o) => box.x0 < o.x1 && o.x0 < box.x1 && box.y0 < o.y1 && o.y0 < box.y1);
  const shifts = [0];
  for (let k = 1; k <= 12; k += 1) shifts.push(-14 * k, 14 * k);
  return at.map((p) => {
    const w = 6 * p.text.length + 6;
    let chosen = null;
    for (const dy of shifts) {
      for (const side of [1, -1]) {
        const x0 = side > 0 ? p.px + 9 : p.px - 9 - w;
        const box = { x0, x1: x0 + w, y0: p.py + dy - 7, y1: p.py + dy + 7 };
        if (free(box)) {
          chosen = { side, dy, box };
          break;
        }
      }
      if (chosen) break;
    }
    if (!chosen) chosen = { side: p.px < size.w / 2 ? 1 : -1, dy: 0, box: null };
    if (chosen.box) boxes.push(chosen.box);
    return {
      x: p.x, y: p.y, xref: "x", yref: "y", text: p.text, showarrow: true, arrowhead: 0,
      arrowwidth: 1, arrowcolor: "#b7c0cc", standoff: 5,
      ax: chosen.side * (9 + w / 2), ay: chosen.dy,
      font: { size: 10, color: p.color || "#55657a" },
    };
  });
}

// The points of the packages chart: [kind, name, offer] for every offer drawn.
function packagePoints() {
  const points = [];
  for (const o of state.named ? state.named.offers : []) points.push(["named offer", o.name, o]);
  if (state.optimum) {
    points.push(["risk-return optimum", "", state.optimum.optimum]);
    if (state.optimum.bridge) points.push(["golden bridge", "", state.optimum.bridge]);
  }
  if (state.current) points.push(["current offer", "", state.current.offers[0]]);
  return points;
}

// The packages chart: P(war) (or, when the golden bridge is by P(deal), P(deal)) against
// the proposer's utility if the deal is struck.
function drawPackages() {
  if (!state.scenario) return;
  const key = bridgeBy();
  const label = key === "p_war" ? "P(war)" : "P(deal)";
  const points = packagePoints();
  // the frontier is by P(war) under the approval rule and by P(deal) under the per-world
  // rule: drawn on its own axis only (against the other it is not a frontier)
  const byWar = state.optimum &&
    state.optimum.frontier.every((f) => f.p_war !== null && f.p_war !== undefined);
  const frontier = state.optimum && byWar === (key === "p_war") ?
    [...state.optimum.frontier].sort((a, b) => a[key] - b[key]) : [];
  $("frontier-chart-data").querySelector("caption").textContent = `Packages: ${label}; u: ` +
    `${state.scenario.proposer}'s utility if the offer is accepted; EU: its expected utility`;
  chartTable("frontier-chart", ["offer", label, "u", "EU"],
    [...points, ...frontier.map((f) => ["frontier point", "", f])].map(([kind, name, o]) => [
      name || kind, [pct(o[key]), "num"], [fixed3(o.proposer_u), "num"],
      [fixed3(o.proposer_eu), "num"]]));
  if (!window.Plotly) return;
  const limits = robustRange([...points, ...frontier.map((f) => [0, 0, f])]
    .map(([, , o]) => o.proposer_u));
  const off = (y) => y < limits.low || y > limits.high;
  const shown = (y) => (off(y) ? null : y);  // an outlier is drawn by the off-scale trace
  const traces = [];
  if (state.named) {
    const named = state.named.offers;
    traces.push({
      type: "scatter", mode: "markers", name: "named offers",
      x: named.map((o) => o[key]), y: named.map((o) => shown(o.proposer_u)),
      text: named.map((o) => o.name), marker: { size: 9, color: "#8aa1c1" },
      customdata: named.map((o) => o.proposer_eu),
      hovertemplate: `%{text}<br>${label} %{x:.1%}<br>u if accepted %{y:.3f}` +
        "<br>EU %{customdata:.3f}<extra></extra>",
    });
  }
  if (state.optimum) {
    traces.push({
      type: "scatter", mode: "lines", name: "frontier", line: { color: "#6b7280", width: 1.5 },
      x: frontier.map((f) => f[key]), y: frontier.map((f) => shown(f.proposer_u)),
      customdata: frontier.map((f) => f.proposer_eu),
      hovertemplate: `frontier<br>${label} %{x:.1%}<br>u if accepted %{y:.3f}` +
        "<br>EU %{customdata:.3f}<extra></extra>",
    });
    const marks = [["risk-return optimum", state.optimum.optimum, "diamond", "#1a7f37"]];
    if (state.optimum.bridge) {
      marks.push(["golden bridge", state.optimum.bridge, "square", "#b8860b"]);
    }
    for (const [name, o, symbol, color] of marks) {
      traces.push({
        type: "scatter", mode: "markers", name, x: [o[key]], y: [shown(o.proposer_u)],
        marker: { size: 13, symbol, color, line: { color: "#1d2430", width: 1 } },
        hovertemplate: `${name}<br>${label} %{x:.1%}<br>u if accepted %{y:.3f}` +
          `<br>EU ${o.proposer_eu.toFixed(3)}<extra></extra>`,
      });
    }
  }
  if (state.current) {
    const o = state.current.offers[0];
    traces.push({
      type: "scatter", mode: "markers", name: "current offer",
      x: [o[key]], y: [shown(o.proposer_u)],
      error_x: { type: "data", array: [o[`${key}_se`]], visible: true },
      marker: { size: 15, symbol: "star", color: "#b42318" },
      hovertemplate: `current offer<br>${label} %{x:.1%}<br>u if accepted %{y:.3f}` +
        `<br>EU ${o.proposer_eu.toFixed(3)}<extra></extra>`,
    });
  }
  const outliers = points.filter(([, , o]) => off(o.proposer_u));
  if (outliers.length > 0) {
    traces.push({
      type: "scatter", mode: "markers", name: "off the scale (true value in the label)",
      x: outliers.map(([, , o]) => o[key]),
      y: outliers.map(([, , o]) => clampToAxis(o.proposer_u, limits)),
      text: outliers.map(([kind, name, o]) => `${name || kind}: u ${o.proposer_u.toFixed(3)}`),
      cliponaxis: false,
      marker: {
        size: 12, color: "#ffffff", line: { color: "#b42318", width: 2 },
        symbol: outliers.map(([, , o]) =>
          (o.proposer_u > limits.high ? "triangle-up" : "triangle-down")),
      },
      hovertemplate: `%{text} (off the scale)<br>${label} %{x:.1%}<extra></extra>`,
    });
  }
  $("frontier-note").textContent = "Dots: the named offers; star: the current offer " +
    `(± one standard error in ${label}); line: the frontier (no offer found does better on ` +
    "both axes); diamond: the risk-return optimum (highest expected utility); square: the " +
    `golden bridge (the best offer with ${key === "p_war" ? "P(war) at most" :
      "P(deal) at least"} the target). Hover for the proposer's expected utility.` +
    (outliers.length > 0 ? " Triangles: offers far outside the others' utilities, drawn at " +
      "the edge so that they do not squeeze the rest; the label gives the true value." : "");
  const labels = [
    ...(state.named ? state.named.offers : []).filter((o) => !off(o.proposer_u))
      .map((o) => ({ x: o[key], y: o.proposer_u, text: o.name })),
    ...outliers.map(([kind, name, o]) => ({
      x: o[key], y: clampToAxis(o.proposer_u, limits), color: "#b42318",
      text: `${name || kind}: u ${o.proposer_u.toFixed(3)}`,
    })),
  ];
  const chart = $("frontier-chart");
  Plotly.react(chart, traces, {
    margin: { l: 70, r: 20, t: 10, b: 45 }, height: 340, font: plotFont,
    xaxis: { range: [-0.03, 1.03], tickformat: ".0%", title: { text: label } },
    yaxis: {
      range: limits.range, autorange: false,
      title: { text: `${state.scenario.proposer}'s utility<br>if accepted` },
    },
    legend: { orientation: "h", y: -0.3, yanchor: "top" }, showlegend: true, annotations: [],
  }, plotConfig).then(() => Plotly.relayout(chart, { annotations: placeLabels(chart, labels) }));
}

// Labels are placed in pixels: place them again when the chart changes size.
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(drawPackages, 200);
});

// ---------------------------------------------------------------- sensitivity

function drawSensitivity(doc) {
  const factors = doc.factors.filter((f) => f.ST !== null).slice(0, 15);
  const chart = $("sensitivity-chart");
  chart.hidden = false;
  const interval = (f, key) => (f[key] === null ? "–" :
    `${f[key].toFixed(2)} ± ${(f[`${key}_conf`] ?? 0).toFixed(2)}`);
  chartTable("sensitivity-chart", ["input", "total index (± 95%)", "first order (± 95%)"],
    factors.map((f) => [f.name, [interval(f, "ST"), "num"], [interval(f, "S1"), "num"]]));
  if (!window.Plotly) return;
  const names = factors.map((f) => f.name);
  const bar = (key, name, color) => ({
    type: "bar", orientation: "h", name, y: names, x: factors.map((f) => f[key]),
    error_x: { type: "data", array: factors.map((f) => f[`${key}_conf`]), visible: true },
    marker: { color }, hovertemplate: `%{y}<br>${name} %{x:.2f}<extra></extra>`,
  });
  Plotly.react(chart, [bar("ST", "total index", "#b8860b"), bar("S1", "first order", "#8aa1c1")], {
    barmode: "group", margin: { l: 10, r: 20, t: 10, b: 35 }, height: 60 + 34 * names.length,
    xaxis: { range: [0, 1.05], title: { text: "share of variance" } },
    yaxis: { autorange: "reversed", automargin: true }, font: plotFont,
    legend: { orientation: "h", y: -0.12 },
  }, plotConfig);
}
