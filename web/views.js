// The dashboard's words and long views, used by app.js (loaded after this):
// check details as sentences, the overall verdict, the offered fix, the
// 24 h / 7 d timelines and the heartbeats' uptime and latency sparkline from
// GET /api/sync/history?kind=timeline.
"use strict";

// The AuthCheck object ({GitHubCLI: true, GCloudAccount: "..."}) as sentences.
const SIGNED_IN = { GitHubCLI: ["GitHub", "GitHubAccount", "GitHubMethod"],
                    GCloudCLI: ["Google Cloud", "GCloudAccount", "GCloudMethod"] };
function humanKey(k) {
  return k.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, c => c.toUpperCase());
}
function objectSentences(d) {
  const out = [];
  const used = new Set();
  for (const [key, [service, account, method]] of Object.entries(SIGNED_IN)) {
    if (!(key in d)) continue;
    used.add(key).add(account).add(method);
    if (d[key] === true) {
      out.push("Signed in to " + service + (d[account] ? " as " + d[account] : "") +
               (d[method] ? " (" + d[method] + ")" : ""));
    } else {
      out.push("Not signed in to " + service);
    }
  }
  for (const [k, v] of Object.entries(d)) {
    if (used.has(k)) continue;
    const text = v === true ? "yes" : v === false ? "no" : typeof v === "string" ? v : JSON.stringify(v);
    out.push(humanKey(k) + ": " + text);
  }
  return out;
}
function required(check) { return check.required !== false; }
// What is wrong with a check, in a few words: "Git behind by 1".
function phrase(key, check) {
  const t = title(key);
  const data = check.Data || {};
  if (key === "GitSync" && typeof data.behind === "number") {
    const ahead = data.ahead || 0, behind = data.behind || 0;
    if (ahead && behind) return `${t} diverged (${ahead} ahead, ${behind} behind)`;
    if (behind) return `${t} behind by ${behind}`;
    if (ahead) return `${t} ahead by ${ahead}`;
    if (data.dirty) return `${t} has ${data.dirty} uncommitted ${data.dirty === 1 ? "change" : "changes"}`;
  }
  const lines = detailLines(check);
  // An object's sentences: the one saying what is missing ("Not signed in to ...").
  const first = lines.find(l => /^Not /.test(l)) || lines[0];
  if (!first) return `${t} ${check.Status || "unknown"}`;
  return `${t}: ` + (/^Not /.test(first) ? first.replace(/^N/, "n") : first);
}
// The header's verdict from the required checks: [kind, text].
function overallVerdict(doc) {
  const entries = Object.entries(doc.status || {}).filter(([, c]) => required(c));
  for (const [k, word] of [["bad", "Failing"], ["drift", "Drift"]]) {
    const hit = entries.filter(([, c]) => kind(c.Status || "unknown") === k);
    if (!hit.length) continue;
    const text = hit.slice(0, 2).map(([key, c]) => phrase(key, c)).join("; ");
    return [k, `${word}: ${text}` + (hit.length > 2 ? ` (+${hit.length - 2} more)` : "")];
  }
  return ["good", "In sync"];
}
// The fix offered for `key` (the document's actions), or why none is.
function fixBox(doc, key, check) {
  const action = (doc.actions || []).find(a => a.check === key);
  if (action) {
    const box = el("div", "fix");
    box.append("Fix: ", el("code", "", action.action), " ",
               el("span", "muted", action.applied ? "applied" :
                                    action.reason ? "not applied: " + action.reason : "not applied"));
    return box;
  }
  if (check.FixWithheld) return el("div", "fix withheld", "No fix offered: " + check.FixWithheld);
  return null;
}
// The 24 h / 7 d view: one segment per time bucket, its worst status.
function bucketTimeline(key) {
  const box = el("div", "timeline-box");
  const t = timelines[checkWindow];
  if (!t) {
    box.append(el("div", "timeline-legend muted", history && history.off ? history.off : "loading…"));
    return box;
  }
  const row = (t.checks || {})[key] || [];
  const bar = el("div", "timeline buckets");
  bar.dataset.window = checkWindow;
  bar.setAttribute("role", "list");
  bar.setAttribute("aria-label", title(key) + " over " + WINDOWS[checkWindow].text + ", oldest first");
  const info = el("div", "seg-info muted");
  let runs = 0;
  for (let i = 0; i < t.buckets; i++) {
    const b = row[i] || null;
    const from = new Date(Date.parse(t.since) + i * t.bucketMs);
    const seg = el("span", "seg " + (b ? kind(b.status) : "none"));
    seg.dataset.status = b ? b.status : "";
    seg.setAttribute("role", "listitem");
    const tip = from.toLocaleString() + " · " +
      (b ? `${b.status}${b.last !== b.status ? " (last " + b.last + ")" : ""} · ${b.runs} ${b.runs === 1 ? "run" : "runs"}`
         : "no runs");
    seg.title = tip;
    seg.setAttribute("aria-label", tip);
    if (b) {
      runs += b.runs;
      seg.tabIndex = 0;
      const show = () => { info.textContent = tip; };
      seg.addEventListener("click", show);
      seg.addEventListener("focus", show);
    }
    bar.append(seg);
  }
  const legend = el("div", "timeline-legend muted");
  legend.append(el("span", "", `${runs} ${runs === 1 ? "run" : "runs"} in ${WINDOWS[checkWindow].text}`),
                el("span", "", "now"));
  box.append(bar, legend, info);
  return box;
}
// The heartbeat's samples of one window (null: none).
function beatRow(t, h) {
  if (!t || !t.heartbeats) return null;
  return t.heartbeats[h.target] || null;
}
function uptimeText(row) {
  return row && row.uptimePercent !== null && row.uptimePercent !== undefined
    ? String(Number(row.uptimePercent.toFixed(2))) + "%" : "no samples";
}
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
// Mean latency per bucket as a line; a red mark under each bucket with a miss.
function sparkline(row, windowKey) {
  const W = 200, H = 36;
  const s = svg("svg", { class: "sparkline", viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none",
                         role: "img" });
  const buckets = row ? row.buckets : [];
  const n = Math.max(buckets.length, 1);
  const max = Math.max(1, ...buckets.map(b => (b && b.latencyMs) || 0));
  const pts = [];
  let downs = 0;
  buckets.forEach((b, i) => {
    const x = (i + .5) * W / n;
    if (b && b.latencyMs !== null) pts.push(`${x.toFixed(1)},${(H - 4 - (b.latencyMs / max) * (H - 8)).toFixed(1)}`);
    if (b && b.up < b.samples) {
      downs++;
      s.append(svg("rect", { class: "down", x: (i * W / n).toFixed(1), y: H - 3, width: Math.max(W / n, 1).toFixed(1), height: 3 }));
    }
  });
  s.prepend(svg("line", { class: "base", x1: 0, y1: H - 3.5, x2: W, y2: H - 3.5 }));
  if (pts.length > 1) s.append(svg("polyline", { points: pts.join(" ") }));
  if (pts.length === 1) {
    const [cx, cy] = pts[0].split(",");
    s.append(svg("circle", { class: "dot", cx, cy, r: 2 }));  // one interval: a dot, not a line
  }
  s.dataset.points = String(pts.length);
  s.dataset.window = windowKey;
  const label = `latency over ${WINDOWS[windowKey].text}: ` + (row && row.latencyMs && row.latencyMs.avg !== null
    ? `mean ${row.latencyMs.avg} ms, highest bucket ${row.latencyMs.max} ms` : "no samples") +
    (downs ? `; no answer in ${downs} of ${n} intervals` : "");
  s.setAttribute("aria-label", label);
  const t = svg("title", {});
  t.textContent = label;
  s.append(t);
  return s;
}
function beatHistory(h) {
  if (!timelines["24h"] && !timelines["7d"]) return [];
  const up = el("div", "uptime muted");
  up.textContent = "uptime " + uptimeText(beatRow(timelines["24h"], h)) + " (24 h) · " +
                   uptimeText(beatRow(timelines["7d"], h)) + " (7 d)";
  return [up, sparkline(beatRow(timelines[beatWindow], h), beatWindow)];
}
async function loadTimelines() {
  for (const [w, { buckets }] of Object.entries(WINDOWS)) {
    try {
      const r = await api(`${SYNC}/history?kind=timeline&since=${w}&buckets=${buckets}`);
      if (r.ok) timelines[w] = await r.json();
      else delete timelines[w];
    } catch (e) {
      if (e instanceof Unauthorized) return;
      delete timelines[w];
    }
  }
  render();
}
function pickWindow(groupId, value) {
  for (const b of $(groupId).querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(b.dataset.window === value));
  }
}
