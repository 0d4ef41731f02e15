// cogov explore: the page. It holds the settings (a preset and the keys changed from it), asks the
// server to run them, and draws what streams back. Every number comes from the server; the page
// only averages replicates for the lines and bands (Student-t, as cogov's tables do).
"use strict";

// A change starts its run this long after the last edit, so that typing a number runs it once.
const DEBOUNCE_MS = 60;

const UI = {
  en: {
    explore: "explore", preset: "Preset", baseline: "Against", pause: "Pause", step: "Step",
    resume: "Resume", rerun: "Run again", download_toml: "Scenario TOML", download_csv: "Data CSV",
    copy_link: "Copy link", search: "Search keys", river: "The river, upstream to downstream",
    agents: "Agents of region", which_lever: "Which lever matters here?",
    run_levers: "Compare one lever at a time",
    footer: "Numbers from cogov on this machine: the same settings, seed and version give the same bytes as cogov run with the downloaded TOML.",
    running: "running", month: "month", months: "months", of: "of", done: "done", paused: "paused", cancelled: "cancelled",
    on: "on", off: "off", mixed: "mixed", you: "this scenario", lang: "中文", run: "run",
    reset: "reset", defaults: "default", unit: "unit", source: "source",
    pollution_mean: "Pollution (mean stock, t per region)", compliance_rate: "Compliance (share of enterprises)",
    welfare_net: "Welfare that regimes change (M¥/month)", awareness_mean: "Residents' awareness (0–1)",
    complaints: "Complaints per month: filed, handled, lost", enforcement_cost: "Enforcement cost (M¥/month)",
    sanctions: "Sanctions per month",
    complaints_filed: "filed", complaints_handled: "handled", complaints_lost: "lost",
    complying: "complying", violating: "violating", ordered: "under a correction order (sanctioned)",
    sealed: "sealed up", awareness: "residents' awareness (darker: more aware)",
    stock: "stock (t)", target_met: "target met", lever_bars: "Pollution when one lever is switched, against the current settings (95% interval)",
    switch_on: "on", switch_off: "off", copied: "link copied", computing: "computing…",
    region: "region",
  },
  zh: {
    explore: "探索", preset: "预设情景", baseline: "对照", pause: "暂停", step: "单步",
    resume: "继续", rerun: "重新运行", download_toml: "下载情景 TOML", download_csv: "下载数据 CSV",
    copy_link: "复制链接", search: "搜索参数", river: "河流：从上游到下游",
    agents: "地区的主体", which_lever: "哪项机制在此最重要？",
    run_levers: "逐项比较各机制",
    footer: "数字由本机 cogov 计算：相同设置、种子和版本，与用下载的 TOML 运行 cogov run 得到的字节完全相同。",
    running: "运行中", month: "月", months: "个月", of: "/", done: "完成", paused: "已暂停", cancelled: "已取消",
    on: "开", off: "关", mixed: "混合", you: "本情景", lang: "English", run: "运行",
    reset: "重置", defaults: "默认", unit: "单位", source: "来源",
    pollution_mean: "污染（平均存量，吨/地区）", compliance_rate: "守法率（企业占比）",
    welfare_net: "制度可改变的福利（百万元/月）", awareness_mean: "居民环境意识（0–1）",
    complaints: "每月举报：提出、受理、未处理", enforcement_cost: "执法成本（百万元/月）",
    sanctions: "每月处罚数",
    complaints_filed: "提出", complaints_handled: "受理", complaints_lost: "未处理",
    complying: "守法", violating: "违法", ordered: "责令改正中（已处罚）",
    sealed: "查封", awareness: "居民环境意识（颜色越深越高）",
    stock: "存量（吨）", target_met: "达标", lever_bars: "逐项切换一项机制后的污染变化（相对当前设置，95% 区间）",
    switch_on: "开启", switch_off: "关闭", copied: "链接已复制", computing: "计算中…",
    region: "地区",
  },
};

// Chinese names of sections and levers, from the registry (the glossary's official terms).
const sectionZh = (name) => (state.meta.sections.find((s) => s.name === name) || { zh: name }).zh;
const leverZh = (name) => (state.meta.levers.find((l) => l.name === name) || { term_zh: name }).term_zh;

const CHARTS = [
  { id: "pollution_mean", lines: ["pollution_mean"] },
  { id: "compliance_rate", lines: ["compliance_rate"] },
  { id: "welfare_net", lines: ["welfare_net"] },
  { id: "awareness_mean", lines: ["awareness_mean"] },
  { id: "complaints", lines: ["complaints_filed", "complaints_handled", "complaints_lost"] },
  { id: "enforcement_cost", lines: ["enforcement_cost"] },
  { id: "sanctions", lines: ["sanctions"] },
];

const state = {
  meta: null, lang: "en", preset: "", baseline: "fragmented", set: {}, region: 0,
  frames: [], done: null, running: false, paused: false, controller: null,
  client: "page-" + Math.random().toString(36).slice(2, 12), timer: null, error: null, runId: 0,
};

const $ = (id) => document.getElementById(id);
const t = (k) => (UI[state.lang][k] !== undefined ? UI[state.lang][k] : k);
const svgNS = "http://www.w3.org/2000/svg";
function el(tag, attrs, parent) {
  const e = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}
function h(tag, attrs, parent, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// ---- settings -------------------------------------------------------------------------------

function presetValues(name) {
  const p = state.meta.presets.find((p) => p.name === name);
  return p ? p.values : {};
}
function valueOf(path) {
  return path in state.set ? state.set[path] : presetValues(state.preset)[path];
}
function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
function settings() { return { preset: state.preset, set: state.set }; }

function setKey(path, value) {
  if (same(value, presetValues(state.preset)[path])) delete state.set[path];
  else state.set[path] = value;
}

function leverState(lever) {
  const on = lever.keys.every((k) => same(valueOf(k), lever.on[k]));
  if (on) return "on";
  const off = lever.keys.every((k) => same(valueOf(k), lever.off[k]));
  return off ? "off" : "mixed";
}

function toHash() {
  const q = new URLSearchParams();
  q.set("preset", state.preset);
  q.set("baseline", state.baseline);
  if (state.lang !== "en") q.set("lang", state.lang);
  if (state.region) q.set("region", String(state.region));
  for (const [k, v] of Object.entries(state.set)) q.set(k, JSON.stringify(v));
  return "#" + q.toString();
}

function fromHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const names = state.meta.presets.map((p) => p.name);
  state.preset = names.includes(q.get("preset")) ? q.get("preset") : names.includes("china-2020") ? "china-2020" : names[0];
  state.baseline = names.includes(q.get("baseline")) ? q.get("baseline") : "fragmented";
  state.lang = q.get("lang") === "zh" ? "zh" : "en";
  state.region = Math.max(0, parseInt(q.get("region") || "0", 10) || 0);
  state.set = {};
  for (const [k, v] of q.entries()) {
    if (["preset", "baseline", "lang", "region"].includes(k)) continue;
    try { state.set[k] = JSON.parse(v); } catch (_) { state.set[k] = v; }
  }
}

// ---- controls --------------------------------------------------------------------------------

function buildPresets() {
  for (const id of ["preset", "baseline"]) {
    const s = $(id);
    s.innerHTML = "";
    for (const p of state.meta.presets) h("option", { value: p.name }, s, p.name);
  }
  $("preset").value = state.preset;
  $("baseline").value = state.baseline;
}

function buildLevers() {
  const box = $("levers");
  box.innerHTML = "";
  for (const lever of state.meta.levers) {
    const row = h("label", { class: "lever", "data-lever": lever.name }, box);
    const input = h("input", { type: "checkbox" }, row);
    const text = h("span", {}, row);
    const title = h("b", {}, text, `${lever.number}. ${state.lang === "zh" ? leverZh(lever.name) : lever.name}`);
    h("span", { class: "state" }, title);
    h("div", { class: "what" }, text, state.lang === "zh" ? lever.zh : lever.en);
    input.addEventListener("change", () => {
      const to = input.checked ? lever.on : lever.off;
      for (const k of lever.keys) setKey(k, to[k]);
      changed();
    });
  }
  refreshLevers();
}

function refreshLevers() {
  for (const lever of state.meta.levers) {
    const row = document.querySelector(`[data-lever="${lever.name}"]`);
    const s = leverState(lever);
    row.querySelector("input").checked = s === "on";
    row.querySelector("input").indeterminate = s === "mixed";
    const badge = row.querySelector(".state");
    badge.textContent = t(s);
    badge.className = "state " + s;
    row.dataset.state = s;
  }
}

function sliderRange(k) {
  const [lo, hi] = k.plausible || k.bounds || [0, 1];
  return [lo, hi];
}

function buildKeys() {
  const box = $("keys");
  box.innerHTML = "";
  const sections = new Map();
  for (const k of state.meta.keys) {
    if (!sections.has(k.section)) sections.set(k.section, []);
    sections.get(k.section).push(k);
  }
  for (const [section, keys] of sections) {
    const d = h("details", { "data-section": section }, box);
    if (section === "" || section === "law") d.open = true;
    h("summary", {}, d, state.lang === "zh" ? sectionZh(section) + ` (${section || "run"})` : section || "run");
    for (const k of keys) buildKey(d, k);
  }
  filterKeys();
  refreshKeys();
}

function buildKey(parent, k) {
  const row = h("div", { class: "key", "data-key": k.path }, parent);
  h("div", { class: "name" }, row, k.path + (k.unit && k.unit !== "–" ? ` [${k.unit}]` : ""));
  const line = h("div", { class: "row" }, row);
  const help = `${state.lang === "zh" ? k.zh : k.en}. ${t("defaults")}: ${JSON.stringify(k.default)}; ${k.allowed}`;
  row.title = `${help}\n${t("source")}: ${k.source}`;
  if (k.control === "slider" || k.control === "integer") {
    let range = null;
    if (k.control === "slider" || k.plausible) {
      const [lo, hi] = sliderRange(k);
      range = h("input", { type: "range", min: lo, max: hi, step: k.control === "integer" ? 1 : (hi - lo) / 200 || 0.01, "aria-label": k.path }, line);
    }
    const num = h("input", { type: "number", step: "any", "aria-label": k.path + " value" }, line);
    const commit = (v) => {
      if (!Number.isFinite(v)) return;
      setKey(k.path, k.control === "integer" ? Math.round(v) : v);
      changed();
    };
    if (range) range.addEventListener("input", () => { num.value = range.value; });
    if (range) range.addEventListener("change", () => commit(parseFloat(range.value)));
    num.addEventListener("change", () => commit(parseFloat(num.value)));
  } else if (k.control === "choice") {
    const s = h("select", { "aria-label": k.path }, line);
    for (const c of k.choices) h("option", { value: c }, s, c);
    s.addEventListener("change", () => { setKey(k.path, s.value); changed(); });
  } else if (k.control === "switch") {
    const c = h("input", { type: "checkbox", "aria-label": k.path }, line);
    c.addEventListener("change", () => { setKey(k.path, c.checked); changed(); });
  } else {
    h("span", { class: "fixed" }, line, "");
  }
  // Back to the preset's value: the key leaves the page's edits.
  const reset = h("button", { class: "reset", type: "button", title: t("reset") }, line, "↺");
  reset.hidden = true;
  reset.addEventListener("click", () => { delete state.set[k.path]; changed(); });
  const shown = typeof k.default === "string" ? k.default : JSON.stringify(k.default);
  h("div", { class: "help" }, row, `${state.lang === "zh" ? k.zh : k.en} · ${t("defaults")} ${shown}`);
}

function refreshKeys() {
  for (const row of document.querySelectorAll(".key")) {
    const path = row.dataset.key;
    const k = state.meta.keys.find((k) => k.path === path);
    const v = valueOf(path);
    row.querySelector(".name").classList.toggle("changed", path in state.set);
    row.querySelector(".reset").hidden = !(path in state.set);
    row.classList.toggle("bad", !!(state.error && state.error.key === path));
    if (k.control === "slider" || k.control === "integer") {
      const range = row.querySelector("input[type=range]");
      if (range) range.value = v;
      row.querySelector("input[type=number]").value = v;
    } else if (k.control === "choice") row.querySelector("select").value = v;
    else if (k.control === "switch") row.querySelector("input").checked = !!v;
    else {
      const s = JSON.stringify(v);
      row.querySelector(".fixed").textContent = s && s.length > 80 ? s.slice(0, 77) + "…" : s;
    }
  }
}

function filterKeys() {
  const q = $("search").value.trim().toLowerCase();
  for (const d of document.querySelectorAll("#keys details")) {
    let any = false;
    for (const row of d.querySelectorAll(".key")) {
      const k = state.meta.keys.find((k) => k.path === row.dataset.key);
      const hit = !q || k.path.toLowerCase().includes(q) || k.en.toLowerCase().includes(q) || k.zh.includes(q);
      row.hidden = !hit;
      any = any || hit;
    }
    d.hidden = !any;
    if (q && any) d.open = true;
  }
}

function buildRegions() {
  const s = $("region");
  s.innerHTML = "";
  const n = valueOf("world.regions") || 1;
  state.region = Math.min(state.region, n - 1);
  for (let r = 0; r < n; r++) h("option", { value: r }, s, `${r}`);
  s.value = state.region;
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  for (const e of document.querySelectorAll("[data-tp]")) e.placeholder = t(e.dataset.tp);
  $("lang").textContent = t("lang");
  buildLevers();
  buildKeys();
  drawAll();
  showError();
  drawLeverBars();
}

// ---- running ---------------------------------------------------------------------------------

function changed() {
  history.replaceState(null, "", toHash());
  refreshLevers();
  refreshKeys();
  buildRegions();
  clearTimeout(state.timer);
  state.timer = setTimeout(run, DEBOUNCE_MS);
}

function showError() {
  const box = $("error");
  if (!state.error) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = state.lang === "zh" ? state.error.zh : state.error.en;
}

async function run() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const id = ++state.runId;
  state.frames = [];
  state.done = null;
  state.running = true;
  state.paused = false;
  status();
  let response;
  try {
    response = await fetch("/api/run", {
      method: "POST", headers: { "content-type": "application/json" }, signal: controller.signal,
      body: JSON.stringify({ client: state.client, settings: settings(), baseline: state.baseline, region: state.region }),
    });
  } catch (e) {
    if (id === state.runId) { state.running = false; status(); }
    return;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({ error: { en: response.statusText, zh: response.statusText } }));
    if (id !== state.runId) return;
    state.error = body.error;
    state.running = false;
    showError(); refreshKeys(); status(); drawAll();
    return;
  }
  state.error = null;
  showError(); refreshKeys();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).replace(/^ /, "");
        }
        if (id !== state.runId || !data) continue;
        const msg = JSON.parse(data);
        if (event === "month") { state.frames.push(msg); schedule(); }
        else if (event === "done") { state.done = msg; state.running = false; schedule(); }
        else if (event === "failed") { state.error = msg.error; state.running = false; showError(); }
      }
    }
  } catch (_) { /* aborted by a newer run */ }
  if (id === state.runId) { state.running = false; status(); }
}

let drawPending = false;
function schedule() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawAll(); });
}

async function control(action) {
  await fetch("/api/control", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ client: state.client, action }),
  }).catch(() => {});
  state.paused = action === "pause" || action === "step";
  status();
}

function status() {
  const steps = valueOf("steps");
  const m = state.frames.length;
  let s;
  if (state.error) s = "";
  else if (state.done) s = `${t("done")}: ${m} ${t(m === 1 ? "month" : "months")}`;
  else if (state.running) s = `${state.paused ? t("paused") : t("running")}: ${t("month")} ${m} ${t("of")} ${steps}`;
  else s = m ? `${t("cancelled")}: ${t("month")} ${m}` : "";
  $("status").textContent = s;
  $("pause").disabled = !state.running || state.paused;
  $("resume").disabled = !state.running || !state.paused;
  $("step").disabled = !state.running;
}

// ---- drawing ---------------------------------------------------------------------------------

function band(values) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return [mean, mean, mean];
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const tq = state.meta.t975[Math.min(n - 1, state.meta.t975.length) - 1];
  const half = (tq * sd) / Math.sqrt(n);
  return [mean, mean - half, mean + half];
}

function series(run, name) {
  return state.frames.map((f) => f[run].values[name]);
}

function nice(lo, hi) {
  if (!(hi > lo)) { hi = lo + 1; lo = lo - 1; }
  const span = hi - lo, step0 = Math.pow(10, Math.floor(Math.log10(span / 4)));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 5);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) ticks.push(+v.toPrecision(10));
  return ticks;
}

function fmt(v) {
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e5) return String(v);
  if (a >= 1e4) return v.toExponential(1);
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toFixed(2);
}

const LINE_COLORS = { complaints_handled: ["#1e8449", "#76b7a0"], complaints_lost: ["#7d3c98", "#b39bc8"] };

function drawChart(box, spec) {
  box.innerHTML = "";
  h("h3", {}, box, t(spec.id));
  const W = 340, H = 190, L = 46, R = 8, T = 8, B = 26;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, "data-chart": spec.id }, box);
  const steps = valueOf("steps") || 1;
  const lines = [];
  for (const run of ["baseline", "scenario"]) {
    for (const name of spec.lines) {
      const pts = series(run, name).map((vals, i) => [i + 1, ...band(vals)]);
      lines.push({ run, name, pts });
    }
  }
  let lo = Infinity, hi = -Infinity;
  for (const l of lines) for (const p of l.pts) { lo = Math.min(lo, p[2]); hi = Math.max(hi, p[3]); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  const ticks = nice(lo, hi);
  lo = Math.min(lo, ticks[0]); hi = Math.max(hi, ticks[ticks.length - 1]);
  const x = (m) => L + ((m - 1) / Math.max(1, steps - 1)) * (W - L - R);
  const y = (v) => T + (1 - (v - lo) / (hi - lo || 1)) * (H - T - B);
  for (const v of ticks) {
    el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#eceff4" }, svg);
    el("text", { x: L - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 10, fill: "#5b6475" }, svg).textContent = fmt(v);
  }
  for (const m of nice(1, steps).filter((m) => m >= 1)) {
    el("text", { x: x(m), y: H - 8, "text-anchor": "middle", "font-size": 10, fill: "#5b6475" }, svg).textContent = fmt(m);
  }
  el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#9aa3b2" }, svg);
  for (const l of lines) {
    if (!l.pts.length) continue;
    const custom = LINE_COLORS[l.name];
    const color = custom ? custom[l.run === "scenario" ? 0 : 1] : l.run === "scenario" ? "#c0392b" : "#2c6fbb";
    const up = l.pts.map((p) => `${x(p[0])},${y(p[3])}`);
    const down = l.pts.slice().reverse().map((p) => `${x(p[0])},${y(p[2])}`);
    el("polygon", { points: up.concat(down).join(" "), fill: color, opacity: 0.15 }, svg);
    el("path", {
      d: "M" + l.pts.map((p) => `${x(p[0]).toFixed(2)},${y(p[1]).toFixed(2)}`).join("L"),
      fill: "none", stroke: color, "stroke-width": 1.6, "stroke-dasharray": l.run === "baseline" ? "4 3" : "",
      "data-run": l.run, "data-line": l.name,
    }, svg);
  }
  const legend = h("div", { class: "legend" }, box);
  const names = spec.lines.length > 1 ? " (" + spec.lines.map(t).join(", ") + ")" : "";
  h("span", { class: "you" }, legend, `— ${valueName()}`);
  legend.appendChild(document.createTextNode("  "));
  h("span", { class: "base" }, legend, `- - ${state.baseline}`);
  legend.appendChild(document.createTextNode(names + "; 95%"));
}

function valueName() {
  return Object.keys(state.set).length ? `${state.preset}-explored` : state.preset;
}

function drawRiver() {
  const box = $("river");
  box.innerHTML = "";
  const f = state.frames[state.frames.length - 1];
  if (!f) return;
  const n = f.scenario.stock.length;
  const W = 900, rowH = 34, H = 2 * rowH + 30;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, "data-river": "" }, box);
  const first = state.frames[0];
  const top = Math.max(...first.scenario.stock, ...first.baseline.stock, ...f.scenario.stock, ...f.baseline.stock) || 1;
  const w = (W - 130) / n;
  [["scenario", valueName()], ["baseline", state.baseline]].forEach(([run, label], j) => {
    const y0 = 6 + j * rowH;
    el("text", { x: 0, y: y0 + 20, "font-size": 11, fill: "#1d2433" }, svg).textContent = label.slice(0, 20);
    f[run].stock.forEach((s, g) => {
      const v = Math.min(1, s / top);
      const color = `rgb(${Math.round(60 + 170 * v)},${Math.round(150 - 90 * v)},${Math.round(200 - 160 * v)})`;
      const r = el("rect", { x: 130 + g * w, y: y0, width: Math.max(1, w - 2), height: rowH - 6, fill: color, "data-stock": s }, svg);
      el("title", {}, r).textContent = `${t("region")} ${g}: ${t("stock")} ${fmt(s)}; ${t("target_met")} ${fmt(f[run].target_met[g] * 100)}%`;
      if (n <= 40) el("text", { x: 130 + g * w + w / 2 - 1, y: y0 + 18, "font-size": 10, "text-anchor": "middle", fill: "#fff" }, svg).textContent = fmt(s);
    });
  });
  el("text", { x: 130, y: H - 4, "font-size": 10, fill: "#5b6475" }, svg).textContent =
    `${t("month")} ${f.month}: ${t("stock")}; →`;
}

function drawAgents() {
  const canvas = $("agents-canvas");
  const legend = $("agent-legend");
  legend.innerHTML = "";
  const colors = { c: "#27ae60", v: "#e67e22", o: "#c0392b", s: "#2c3e50" };
  for (const [k, label] of [["c", "complying"], ["v", "violating"], ["o", "ordered"], ["s", "sealed"]]) {
    h("i", { style: `background:${colors[k]}` }, legend);
    legend.appendChild(document.createTextNode(t(label)));
  }
  legend.appendChild(document.createTextNode(" · " + t("awareness")));
  const f = state.frames[state.frames.length - 1];
  if (!f) { canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height); return; }
  const ents = f.agents.enterprises, res = f.agents.residents;
  // Enterprises as dots in rows of 80 (one dot per several enterprises when they would fill more
  // than about 160 px), then residents as small squares shaded by awareness; the canvas is as tall
  // as what it shows, at most 260 px.
  const cols = 80, size = Math.floor(canvas.width / cols), maxHeight = 260;
  const entRows = Math.max(1, Math.ceil(ents.length / cols));
  const upper = Math.min(entRows, Math.floor((maxHeight * 0.62) / size));
  const perCell = Math.max(1, Math.ceil(ents.length / (upper * cols)));
  const drawn = Math.ceil(Math.ceil(ents.length / perCell) / cols);
  const y0 = drawn * size + 8, rsize = 6, rcols = Math.floor(canvas.width / rsize);
  const resRows = Math.min(Math.ceil(res.length / rcols), Math.floor((maxHeight - y0) / rsize));
  const height = Math.max(40, y0 + resRows * rsize + 2);
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (let i = 0; i * perCell < ents.length; i++) {
    const c = ents[i * perCell];
    ctx.fillStyle = colors[c] || "#999";
    ctx.beginPath();
    ctx.arc((i % cols) * size + size / 2, Math.floor(i / cols) * size + size / 2, size / 2 - 1, 0, 2 * Math.PI);
    ctx.fill();
  }
  for (let i = 0; i < Math.min(res.length, resRows * rcols); i++) {
    const a = (res.charCodeAt(i) - 48) / 9;
    ctx.fillStyle = `rgb(${Math.round(230 - 190 * a)},${Math.round(236 - 150 * a)},${Math.round(245 - 80 * a)})`;
    ctx.fillRect((i % rcols) * rsize, y0 + Math.floor(i / rcols) * rsize, rsize - 1, rsize - 1);
  }
  canvas.dataset.enterprises = ents;
}

function drawReading() {
  const p = $("reading");
  if (!state.done) { p.textContent = state.running ? t("computing") : ""; return; }
  p.textContent = state.done.readings.map((r) => (state.lang === "zh" ? r.zh : r.en)).join(" · ");
}

function drawAll() {
  if (!state.meta) return;
  const box = $("charts");
  if (box.children.length !== CHARTS.length) {
    box.innerHTML = "";
    for (const c of CHARTS) h("div", { class: "chart", "data-id": c.id }, box);
  }
  CHARTS.forEach((c, i) => drawChart(box.children[i], c));
  drawRiver();
  drawAgents();
  drawReading();
  status();
}

// ---- levers, downloads -------------------------------------------------------------------------

let leverBars = null;
async function runLevers() {
  const box = $("lever-bars");
  box.textContent = t("computing");
  const r = await fetch("/api/levers", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(settings()) });
  const body = await r.json();
  if (!r.ok) { state.error = body.error; showError(); box.textContent = ""; return; }
  leverBars = body.bars;
  drawLeverBars();
}

function drawLeverBars() {
  const box = $("lever-bars");
  if (!leverBars) return;
  box.innerHTML = "";
  h("div", { class: "legend" }, box, t("lever_bars"));
  const W = 900, rowH = 24, L = 260, H = leverBars.length * rowH + 30;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, "data-levers": "" }, box);
  const vals = leverBars.flatMap((b) => [b.reading.low, b.reading.high, b.reading.percent]).filter(Number.isFinite);
  const m = Math.max(5, ...vals.map(Math.abs));
  const x = (v) => L + ((v + m) / (2 * m)) * (W - L - 20);
  el("line", { x1: x(0), x2: x(0), y1: 0, y2: H - 20, stroke: "#9aa3b2" }, svg);
  leverBars.forEach((b, i) => {
    const y = 6 + i * rowH;
    const name = state.lang === "zh" ? leverZh(b.lever) : b.lever;
    el("text", { x: 0, y: y + 14, "font-size": 12 }, svg).textContent = `${b.number}. ${name} → ${t("switch_" + b.switched)}`;
    const p = b.reading.percent;
    el("rect", { x: Math.min(x(0), x(p)), y, width: Math.abs(x(p) - x(0)), height: rowH - 8, fill: p < 0 ? "#27ae60" : "#c0392b", opacity: 0.75, "data-percent": p }, svg);
    el("line", { x1: x(b.reading.low), x2: x(b.reading.high), y1: y + (rowH - 8) / 2, y2: y + (rowH - 8) / 2, stroke: "#1d2433" }, svg);
    el("text", { x: W - 4, y: y + 14, "font-size": 11, "text-anchor": "end" }, svg).textContent = `${p.toFixed(0)}%`;
  });
  for (const v of nice(-m, m)) {
    el("text", { x: x(v), y: H - 6, "font-size": 10, "text-anchor": "middle", fill: "#5b6475" }, svg).textContent = `${v}%`;
  }
}

async function download(path, fallback) {
  const r = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(settings()) });
  if (!r.ok) { const b = await r.json(); state.error = b.error; showError(); return; }
  const disposition = r.headers.get("content-disposition") || "";
  const name = (disposition.match(/filename="([^"]+)"/) || [null, fallback])[1];
  const blob = await r.blob();
  const a = h("a", { href: URL.createObjectURL(blob), download: name }, document.body);
  a.click();
  a.remove();
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  state.meta = await (await fetch("/api/meta")).json();
  fromHash();
  buildPresets();
  buildRegions();
  $("preset").addEventListener("change", () => { state.preset = $("preset").value; state.set = {}; leverBars = null; $("lever-bars").innerHTML = ""; changed(); });
  $("baseline").addEventListener("change", () => { state.baseline = $("baseline").value; changed(); });
  $("region").addEventListener("change", () => { state.region = parseInt($("region").value, 10); changed(); });
  $("lang").addEventListener("click", () => { state.lang = state.lang === "en" ? "zh" : "en"; history.replaceState(null, "", toHash()); translate(); });
  $("search").addEventListener("input", filterKeys);
  $("pause").addEventListener("click", () => control("pause"));
  $("step").addEventListener("click", () => control("step"));
  $("resume").addEventListener("click", () => control("resume"));
  $("rerun").addEventListener("click", run);
  $("run-levers").addEventListener("click", runLevers);
  $("download-toml").addEventListener("click", () => download("/api/toml", "scenario.toml"));
  $("download-csv").addEventListener("click", () => download("/api/csv", "timeseries.csv"));
  $("copy-link").addEventListener("click", async () => {
    await navigator.clipboard.writeText(location.href).catch(() => {});
    $("status").textContent = t("copied");
  });
  translate();
  history.replaceState(null, "", toHash());
  run();
}

// What the charts were drawn from, for tests and for the curious: per month, per replicate.
window.explorer = {
  state,
  series: (run, name) => series(run, name),
  done: () => !!state.done,
};

start();
