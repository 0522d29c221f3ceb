// The dashboard: reads /api/sync/overview and /api/sync/history (the last
// runs, and kind=timeline for 24 h / 7 d), the fleet (/api/fleet), then
// follows /api/sync/events (/api/projects/NAME/sync/... with ?project=NAME). With server.token set, the API answers 401 until the page
// sends "Authorization: Bearer <token>": the page then asks for the token and
// keeps it in sessionStorage (this tab only; never in a URL).
"use strict";
const GOOD = ["Success", "Synced", "Reachable", "healthy"];
const NEUTRAL = ["NotConfigured", "NoManifest", "unknown"];
const DRIFT = ["Partial", "Diverged", "OutOfSync", "NotDeployed", "PartiallyReachable",
               "Unreachable", "degraded"];
const TITLES = { AuthCheck: "Authentication", GitSync: "Git", DockerSync: "Docker",
                 GCPSync: "Google Cloud Run", CloudflareCheck: "Cloudflare" };
const ORDER = ["AuthCheck", "GitSync", "DockerSync", "GCPSync", "CloudflareCheck"];
const HISTORY_RUNS = 30;       // segments per timeline
const TRANSITIONS_SHOWN = 3;   // per check
const TOKEN_KEY = "infinity-sync.token";
// The long views: kind=timeline windows and their bucket counts.
const WINDOWS = { "24h": { buckets: 48, text: "24 h" }, "7d": { buckets: 84, text: "7 d" } };

// ?project=NAME: this page shows one project of a serve with projects: (its
// routes are /api/projects/NAME/sync/...); without it, /api/sync/... (the
// first or only project).
const PROJECT = new URLSearchParams(location.search).get("project");
const SYNC = PROJECT ? "/api/projects/" + encodeURIComponent(PROJECT) + "/sync" : "/api/sync";

let state = { syncStatus: null, syncStatusFresh: false, heartbeats: [] };
// The fleet (GET /api/fleet) and the projects this server serves (GET /api/projects).
let fleet = null;
let served = [];
// null: not loaded; {off: text}: no history; {runs, transitions}: loaded.
let history = null;
// {"24h": timeline document, "7d": ...}; a window absent: not loaded (or history off).
let timelines = {};
let checkWindow = "runs";  // "runs", "24h", "7d"
let beatWindow = "24h";
let stream = null;         // the open event stream: { close() }
let syncTimer = null;      // re-enables "Sync now" if no status event comes

class Unauthorized extends Error {}

function $(id) { return document.getElementById(id); }
function kind(status) {
  if (GOOD.includes(status)) return "good";
  if (NEUTRAL.includes(status)) return "neutral";
  if (DRIFT.includes(status)) return "drift";
  return "bad";
}
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function age(iso) {
  if (!iso) return "unknown";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " days ago";
}
function when(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}
function detailLines(check) {
  const d = check.Details;
  if (Array.isArray(d)) return d.map(String);
  if (d && typeof d === "object") return objectSentences(d);
  return [];
}
function title(key) { return TITLES[key] || key.replace(/^CustomCheck:/, ""); }

// ---- talking to the server -------------------------------------------------

function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
function authHeaders() {
  const t = token();
  return t ? { Authorization: "Bearer " + t } : {};
}
// fetch() with the token; a 401 asks for the token and throws Unauthorized.
async function api(path, init = {}) {
  const r = await fetch(path, { ...init, cache: "no-store",
                                headers: { ...authHeaders(), ...(init.headers || {}) } });
  if (r.status === 401) {
    askToken(token() ? "The server refused that token. Enter the current one."
                     : "Enter the token to see the status.");
    throw new Unauthorized("the server needs a token");
  }
  return r;
}
function askToken(message) {
  if (stream) { stream.close(); stream = null; }
  if (token()) sessionStorage.removeItem(TOKEN_KEY);
  $("token-message").textContent = message;
  $("live").textContent = "waiting for the token";
  const form = $("token-form");
  if (form.hidden) {
    form.hidden = false;
    $("token-input").focus();
  }
}
function tokenEntered(ev) {
  ev.preventDefault();
  const t = $("token-input").value.trim();
  if (!t) return;
  sessionStorage.setItem(TOKEN_KEY, t);
  $("token-input").value = "";
  $("token-form").hidden = true;
  start();
}

// ---- rendering -------------------------------------------------------------

function card(titleText, status, lines, id, optional = false) {
  const c = el("div", "card " + kind(status));
  if (id) c.dataset.id = id;
  const h = el("h3");
  const name = el("span", "name", titleText);
  h.append(name, el("span", "badge", status));
  c.append(h);
  if (optional) {
    c.dataset.optional = "true";
    const note = el("span", "optional", "not required");
    note.title = "required: false — shown, but it does not change the verdict or the exit code";
    h.insertBefore(note, h.lastChild);
  }
  if (lines.length) {
    const ul = el("ul");
    for (const l of lines) ul.append(el("li", "", l));
    c.append(ul);
  }
  return c;
}
// The runs of `key`, oldest first: [{timestamp, Status, Details}].
function runsOf(key) {
  if (!history || !history.runs) return [];
  const out = [];
  for (const run of history.runs) {
    const c = (run.checks || []).find(x => x.check === key);
    if (c) out.push({ timestamp: run.timestamp, dryRun: run.dryRun, Status: c.Status, Details: c.Details });
  }
  return out.reverse().slice(-HISTORY_RUNS);
}
function timeline(key) {
  if (checkWindow !== "runs") return bucketTimeline(key);
  const runs = runsOf(key);
  const box = el("div", "timeline-box");
  if (!runs.length) return box;
  const bar = el("div", "timeline");
  bar.setAttribute("role", "list");
  bar.setAttribute("aria-label", "last " + runs.length + " runs of " + title(key) + ", oldest first");
  const info = el("div", "seg-info muted");
  for (const r of runs) {
    const lines = detailLines(r);
    const tip = when(r.timestamp) + " · " + r.Status + (lines.length ? "\n" + lines.join("\n") : "");
    const seg = el("span", "seg " + kind(r.Status));
    seg.dataset.status = r.Status;
    seg.dataset.time = r.timestamp;
    seg.title = tip;
    seg.tabIndex = 0;
    seg.setAttribute("role", "listitem");
    seg.setAttribute("aria-label", tip);
    // A phone has no hover: a tap (or focus) shows the same text below.
    const show = () => { info.textContent = tip; };
    seg.addEventListener("click", show);
    seg.addEventListener("focus", show);
    bar.append(seg);
  }
  const first = runs[0].timestamp;
  const legend = el("div", "timeline-legend muted");
  legend.append(el("span", "", runs.length + (runs.length === 1 ? " run" : " runs") + " since " + age(first)),
                el("span", "", "now"));
  box.append(bar, legend, info);
  const changes = (history.transitions || []).filter(t => t.check === key).slice(0, TRANSITIONS_SHOWN);
  if (changes.length) {
    const ul = el("ul", "transitions");
    for (const t of changes) {
      const li = el("li");
      li.append(el("span", "badge " + kind(t.from || "unknown"), t.from || "new"), " → ",
                el("span", "badge " + kind(t.to), t.to), " ",
                el("span", "muted", age(t.timestamp)));
      li.title = when(t.timestamp);
      ul.append(li);
    }
    box.append(ul);
  }
  return box;
}
// The lineage strip: one box per hop (local -> GitHub -> CI -> Cloud Run -> edge).
const HOP_TITLES = { local: "HEAD", remote: "GitHub", ci: "CI", cloudrun: "Cloud Run", edge: "Edge" };
const HOP_GOOD = ["clean", "pushed", "success", "live"];
const HOP_DRIFT = ["dirty", "unpushed", "pending", "partial", "stale"];
function hopKind(state) {
  if (HOP_GOOD.includes(state)) return "good";
  if (HOP_DRIFT.includes(state)) return "drift";
  if (state === "failure") return "bad";
  return "neutral";
}
function renderLineage(lineage) {
  const section = $("lineage-section");
  const strip = $("lineage");
  strip.replaceChildren();
  section.hidden = !lineage || !Array.isArray(lineage.hops);
  if (section.hidden) return;
  for (const h of lineage.hops) {
    const li = el("li", "hop " + hopKind(h.state));
    li.dataset.hop = h.hop;
    li.append(el("span", "hop-title", HOP_TITLES[h.hop] || h.hop));
    const serving = Array.isArray(h.serving) && h.serving.length
      ? h.serving.map(s => s.percent + "% " + s.revision).join(", ") : "";
    li.append(el("span", "hop-commit", h.commit ? String(h.commit).slice(0, 7) : "?"));
    li.append(el("span", "badge", h.state || "unknown"));
    if (serving) li.append(el("span", "hop-detail muted", serving));
    li.title = h.detail || "";
    strip.append(li);
  }
  const verdict = lineage.live === true ? "live" : lineage.live === false ? "not live" : "cannot tell";
  const v = $("lineage-verdict");
  v.textContent = "· " + (lineage.commit ? String(lineage.commit).slice(0, 7) + " " : "") + verdict;
  v.className = "verdict " + (lineage.live === true ? "good" : lineage.live === false ? "drift" : "muted");
}
function setVerdict(k, text, ageText) {
  $("verdict").className = "verdict-banner " + k;
  $("verdict").dataset.kind = k;
  $("verdict-text").textContent = text;
  $("age").textContent = ageText;
}
function render() {
  const doc = state.syncStatus;
  renderLineage(doc && doc.lineage);
  const checks = $("checks");
  checks.replaceChildren();
  const stale = $("stale");
  if (!doc) {
    checks.append(el("p", "muted", "No sync status yet. Press \"Sync now\" or wait for the live loop."));
    setVerdict("neutral", "No status yet", "");
    $("where").textContent = "";
    stale.hidden = true;
  } else {
    const keys = ORDER.filter(k => doc.status && doc.status[k])
      .concat(Object.keys(doc.status || {}).filter(k => !ORDER.includes(k)));
    for (const k of keys) {
      const c = doc.status[k];
      const s = c.Status || "unknown";
      const box = card(title(k), s, detailLines(c), k, !required(c));
      const fix = fixBox(doc, k, c);
      if (fix) box.append(fix);
      box.append(timeline(k));
      checks.append(box);
    }
    const [k, text] = overallVerdict(doc);
    setVerdict(k, text, "· last run " + age(doc.timestamp) + (doc.dryRun ? " (dry run)" : ""));
    $("where").textContent = [doc.project, doc.host && "on " + doc.host].filter(Boolean).join(" ");
    document.title = (doc.project ? doc.project + " · " : "") + text + " · infinity-sync";
    stale.hidden = state.syncStatusFresh;
    stale.textContent = "Stale: this status is from " + age(doc.timestamp) +
      " and may no longer be true.";
  }
  const hb = $("heartbeats");
  hb.replaceChildren();
  for (const h of state.heartbeats) {
    // A probe that got no answer has no response time worth showing.
    const lines = h.status === "down" ? [h.error || "no answer", "checked " + age(h.lastCheck)]
      : h.status === "unknown" ? ["not checked yet"]
      : [h.responseTime + " ms · checked " + age(h.lastCheck)].concat(h.error ? [h.error] : []);
    const c = card(h.service, h.status, lines, "hb-" + h.service);
    if (h.target) c.dataset.target = h.target;
    c.append(...beatHistory(h));
    hb.append(c);
  }
  $("history-note").textContent = history && history.off ? "· " + history.off : "";
  // Without a store there is no 24 h / 7 d view to switch to.
  $("check-window").hidden = $("beat-window").hidden = !!(history && history.off);
}
function showError(text) {
  const e = $("error");
  e.hidden = !text;
  e.textContent = text || "";
}

// ---- loading and following -------------------------------------------------

async function loadHistory() {
  try {
    const r = await api(SYNC + "/history?limit=" + HISTORY_RUNS);
    if (r.status === 404) {
      history = { off: "history is off on this server" };
    } else if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      history = { off: "history unavailable: " + (body.error || "HTTP " + r.status) };
    } else {
      history = await r.json();
    }
  } catch (e) {
    if (e instanceof Unauthorized) return;
    history = { off: "history unavailable: " + e.message };
  }
  render();
}
async function load() {
  try {
    const r = await api(SYNC + "/overview");
    if (!r.ok) throw new Error("overview: HTTP " + r.status);
    state = await r.json();
    showError(state.syncStatusError ? "The status file cannot be read: " + state.syncStatusError : "");
    render();
  } catch (e) {
    if (e instanceof Unauthorized) return;
    showError("Cannot reach the server: " + e.message);
  }
}
function syncDone() {
  clearTimeout(syncTimer);
  const b = $("sync-now");
  b.disabled = false;
  b.textContent = "Sync now";
}
async function syncNow() {
  const b = $("sync-now");
  b.disabled = true;
  b.textContent = "Syncing…";
  // The button comes back with the run's status event, or after a minute.
  clearTimeout(syncTimer);
  syncTimer = setTimeout(syncDone, 60000);
  try {
    const r = await api(SYNC + "/run", { method: "POST" });
    if (r.status === 409) b.textContent = "Already running…";
    else if (!r.ok) throw new Error("HTTP " + r.status);
  } catch (e) {
    syncDone();
    if (!(e instanceof Unauthorized)) showError("Sync not started: " + e.message);
  }
}
function onStatus(data) {
  const doc = JSON.parse(data);
  state.syncStatusFresh = !!doc.fresh;
  delete doc.fresh;
  state.syncStatus = doc;
  syncDone();
  render();
  loadHistory();
  loadTimelines();
}
function onHeartbeat(data) {
  const h = JSON.parse(data);
  const i = state.heartbeats.findIndex(x => x.service === h.service);
  if (i >= 0) state.heartbeats[i] = h; else state.heartbeats.push(h);
  render();
}
function onFleet(data) {
  fleet = JSON.parse(data);
  renderFleet();
}
const HANDLERS = { status: onStatus, heartbeat: onHeartbeat, fleet: onFleet };

// EventSource cannot send headers: without a token it is used as is; with a
// token the stream is read with fetch() and parsed here (same frames).
function followEventSource(opened, lost) {
  const es = new EventSource(SYNC + "/events");
  es.onopen = opened;
  es.onerror = lost;
  for (const [name, fn] of Object.entries(HANDLERS)) es.addEventListener(name, ev => fn(ev.data));
  return { close: () => es.close() };
}
function dispatchFrame(frame) {
  let name = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (data.length && HANDLERS[name]) HANDLERS[name](data.join("\n"));
}
function followFetch(opened, lost) {
  const ctl = new AbortController();
  (async () => {
    while (!ctl.signal.aborted) {
      try {
        const r = await api(SYNC + "/events", { headers: { Accept: "text/event-stream" },
                                                  signal: ctl.signal });
        if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
        opened();
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf = (buf + value).replace(/\r\n?/g, "\n");
          let end;
          while ((end = buf.indexOf("\n\n")) >= 0) {
            dispatchFrame(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch (e) {
        if (e instanceof Unauthorized || ctl.signal.aborted) return;
      }
      lost();
      await new Promise(done => setTimeout(done, 3000));
    }
  })();
  return { close: () => ctl.abort() };
}
function follow() {
  if (stream) stream.close();
  const live = $("live");
  let wasLost = false;
  const opened = () => {
    live.textContent = "live";
    if (wasLost) { wasLost = false; load(); loadHistory(); loadTimelines(); loadFleet(); }  // events may have been missed
  };
  const lost = () => { live.textContent = "reconnecting…"; wasLost = true; };
  stream = token() ? followFetch(opened, lost) : followEventSource(opened, lost);
}
// The matrix projects x environments, when the store holds more than one of
// either: each cell the overall verdict, the commit and the age of that
// pair's latest run, linked to the project's page when this server serves it.
function renderFleet() {
  const section = $("fleet-section");
  const runs = (fleet && Array.isArray(fleet.runs)) ? fleet.runs : [];
  const projects = [...new Set(runs.map(r => r.project))].sort();
  const environments = [...new Set(runs.map(r => r.environment))].sort();
  section.hidden = projects.length < 2 && environments.length < 2;
  if (section.hidden) return;
  const table = $("fleet");
  table.replaceChildren();
  const head = el("tr");
  head.append(el("th", "", "project"));
  for (const e of environments) head.append(el("th", "", e));
  table.append(head);
  const words = { synced: "In sync", drift: "Drift", failed: "Failing" };
  const kinds = { synced: "good", drift: "drift", failed: "bad" };
  for (const p of projects) {
    const tr = el("tr");
    const name = el("th");
    const here = served.includes(p);
    if (here) {
      const a = el("a", "", p);
      a.href = served[0] === p && !PROJECT ? "/" : "?project=" + encodeURIComponent(p);
      name.append(a);
    } else {
      name.textContent = p;
    }
    tr.append(name);
    for (const e of environments) {
      const r = runs.find(x => x.project === p && x.environment === e);
      const td = el("td", r ? "cell " + (kinds[r.overall] || "neutral") : "cell empty");
      if (r) {
        td.dataset.project = p;
        td.dataset.environment = e;
        td.append(el("span", "badge", words[r.overall] || "unknown"));
        td.append(el("span", "hop-commit", r.commit ? String(r.commit).slice(0, 7) : "?"));
        td.append(el("span", "muted", age(r.timestamp) + (r.stale ? " (stale)" : "")));
        td.title = `${p} in ${e} on ${r.host}: ` +
                   Object.entries(r.statuses || {}).map(([k, v]) => `${title(k)} ${v}`).join(", ");
      } else {
        td.textContent = "—";
      }
      tr.append(td);
    }
    table.append(tr);
  }
}
async function loadFleet() {
  try {
    const p = await api("/api/projects");
    served = p.ok ? ((await p.json()).projects || []).map(x => x.name) : [];
    if (!p.ok && state.syncStatus && state.syncStatus.project) served = [state.syncStatus.project];
    const r = await api("/api/fleet");
    fleet = r.ok ? await r.json() : null;
  } catch (e) {
    if (e instanceof Unauthorized) return;
    fleet = null;
  }
  renderFleet();
}
async function start() {
  await load();
  if (!$("token-form").hidden) return;  // 401: wait for the token
  follow();
  loadHistory();
  loadTimelines();
  loadFleet();
}

$("sync-now").addEventListener("click", syncNow);
$("token-form").addEventListener("submit", tokenEntered);
$("check-window").addEventListener("click", ev => {
  const w = ev.target.dataset && ev.target.dataset.window;
  if (!w) return;
  checkWindow = w;
  pickWindow("check-window", w);
  render();
});
$("beat-window").addEventListener("click", ev => {
  const w = ev.target.dataset && ev.target.dataset.window;
  if (!w) return;
  beatWindow = w;
  pickWindow("beat-window", w);
  render();
});
start();
setInterval(() => { render(); renderFleet(); }, 30000);  // keep ages and the stale warning honest
setInterval(() => { if ($("token-form").hidden) { load(); loadTimelines(); } }, 60000);  // heartbeats, freshness
