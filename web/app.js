// The dashboard: reads /api/sync/overview, then follows /api/sync/events.
"use strict";
const GOOD = ["Success", "Synced", "Reachable", "healthy"];
const NEUTRAL = ["NotConfigured", "NoManifest", "unknown"];
const DRIFT = ["Partial", "Diverged", "OutOfSync", "NotDeployed", "PartiallyReachable",
               "Unreachable", "degraded"];
const TITLES = { AuthCheck: "Authentication", GitSync: "Git", DockerSync: "Docker",
                 GCPSync: "Google Cloud Run", CloudflareCheck: "Cloudflare" };
const ORDER = ["AuthCheck", "GitSync", "DockerSync", "GCPSync", "CloudflareCheck"];
let state = { syncStatus: null, syncStatusFresh: false, heartbeats: [] };

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
function detailLines(check) {
  const d = check.Details;
  if (Array.isArray(d)) return d.map(String);
  if (d && typeof d === "object") return Object.entries(d).map(([k, v]) => k + ": " + JSON.stringify(v));
  return [];
}
function card(title, status, lines, id) {
  const c = el("div", "card " + kind(status));
  if (id) c.dataset.id = id;
  const h = el("h3");
  h.append(el("span", "", title), el("span", "badge", status));
  c.append(h);
  if (lines.length) {
    const ul = el("ul");
    for (const l of lines) ul.append(el("li", "", l));
    c.append(ul);
  }
  return c;
}
function render() {
  const doc = state.syncStatus;
  const checks = document.getElementById("checks");
  checks.replaceChildren();
  const stale = document.getElementById("stale");
  if (!doc) {
    checks.append(el("p", "muted", "No sync status yet. Press \"Sync now\" or wait for the live loop."));
    document.getElementById("age").textContent = "";
    document.getElementById("summary").textContent = "no status";
    stale.hidden = true;
  } else {
    const keys = ORDER.filter(k => doc.status && doc.status[k])
      .concat(Object.keys(doc.status || {}).filter(k => !ORDER.includes(k)));
    let bad = 0, drift = 0;
    for (const k of keys) {
      const c = doc.status[k];
      const s = c.Status || "unknown";
      if (kind(s) === "bad") bad++;
      if (kind(s) === "drift") drift++;
      checks.append(card(TITLES[k] || k.replace(/^CustomCheck:/, ""), s, detailLines(c), k));
    }
    document.getElementById("age").textContent =
      "· last run " + age(doc.timestamp) + (doc.dryRun ? " (dry run)" : "");
    document.getElementById("summary").textContent =
      bad ? bad + " failing" : drift ? drift + " drifting" : "all in sync";
    stale.hidden = state.syncStatusFresh;
    stale.textContent = "Stale: this status is from " + age(doc.timestamp) +
      " and may no longer be true.";
  }
  const hb = document.getElementById("heartbeats");
  hb.replaceChildren();
  for (const h of state.heartbeats) {
    const lines = [h.responseTime + " ms · checked " + age(h.lastCheck)];
    if (h.error) lines.push(h.error);
    hb.append(card(h.service, h.status, lines, "hb-" + h.service));
  }
}
function showError(text) {
  const e = document.getElementById("error");
  e.hidden = !text;
  e.textContent = text || "";
}
async function load() {
  try {
    const r = await fetch("/api/sync/overview");
    if (!r.ok) throw new Error("overview: HTTP " + r.status);
    state = await r.json();
    showError("");
    render();
  } catch (e) {
    showError("Cannot reach the server: " + e.message);
  }
}
async function syncNow() {
  const b = document.getElementById("sync-now");
  b.disabled = true;
  b.textContent = "Syncing…";
  try {
    const r = await fetch("/api/sync/run", { method: "POST" });
    if (r.status === 409) b.textContent = "Already running…";
    else if (!r.ok) throw new Error("HTTP " + r.status);
  } catch (e) {
    showError("Sync not started: " + e.message);
    b.disabled = false;
    b.textContent = "Sync now";
  }
}
function follow() {
  const live = document.getElementById("live");
  const es = new EventSource("/api/sync/events");
  es.onopen = () => { live.textContent = "live"; };
  es.onerror = () => { live.textContent = "reconnecting…"; };
  es.addEventListener("status", ev => {
    const doc = JSON.parse(ev.data);
    state.syncStatusFresh = !!doc.fresh;
    delete doc.fresh;
    state.syncStatus = doc;
    const b = document.getElementById("sync-now");
    b.disabled = false;
    b.textContent = "Sync now";
    render();
  });
  es.addEventListener("heartbeat", ev => {
    const h = JSON.parse(ev.data);
    const i = state.heartbeats.findIndex(x => x.service === h.service);
    if (i >= 0) state.heartbeats[i] = h; else state.heartbeats.push(h);
    render();
  });
}
document.getElementById("sync-now").addEventListener("click", syncNow);
load().then(follow);
setInterval(render, 30000);  // keep ages and the stale warning honest
setInterval(load, 60000);    // heartbeats refresh with the server's cache
