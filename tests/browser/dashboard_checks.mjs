// What dashboard_test.mjs asks of the page and the server: polling, the
// cards and timelines on the page, the verdict the statuses call for.
import net from "node:net";

export const WAIT = 60_000;  // one condition (a run in the sanitizer build is slow)

export function sleep(ms) { return new Promise(done => setTimeout(done, ms)); }

export function check(condition, what) {
  if (!condition) throw new Error(what);
}

// Polls `fn` in node until it returns a truthy value.
export async function until(fn, what, limit = WAIT) {
  const end = Date.now() + limit;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await sleep(100);
  }
}

export async function getJson(base, route, token = "") {
  const r = await fetch(base + route, { headers: token ? { Authorization: "Bearer " + token } : {} });
  if (!r.ok) throw new Error(`${route}: HTTP ${r.status}`);
  return r.json();
}

export const TITLES = { AuthCheck: "Authentication", GitSync: "Git", DockerSync: "Docker",
                        GCPSync: "Google Cloud Run", CloudflareCheck: "Cloudflare" };

export async function cards(page, selector) {
  return page.$$eval(selector + " .card", els => els.map(e => ({
    id: e.dataset.id,
    name: e.querySelector("h3 .name")?.textContent,
    status: e.querySelector("h3 .badge")?.textContent,
    text: e.textContent,
  })));
}
// Every check of the server's status document is on the page with its name and status.
export async function assertSectionsMatch(page, base, token = "") {
  const doc = await getJson(base, "/api/sync/status", token);
  const keys = Object.keys(doc.status);
  check(keys.includes("GitSync"), "the status document has no GitSync");
  await page.waitForFunction(
    want => want.every(([id, s]) =>
      document.querySelector(`#checks .card[data-id="${id}"] h3 .badge`)?.textContent === s),
    keys.map(k => [k, doc.status[k].Status]), { timeout: WAIT });
  const shown = await cards(page, "#checks");
  for (const k of keys) {
    const c = shown.find(x => x.id === k);
    check(c && c.name === (TITLES[k] || k.replace(/^CustomCheck:/, "")), `the card of ${k} is named ${c?.name}`);
  }
  return doc;
}
export async function gitTimeline(page) {
  return page.$$eval('#checks .card[data-id="GitSync"] .timeline .seg',
                     segs => segs.map(s => ({ status: s.dataset.status, title: s.title })));
}
export async function waitTimeline(page, want) {
  await page.waitForFunction(
    w => JSON.stringify([...document.querySelectorAll('#checks .card[data-id="GitSync"] .timeline .seg')]
      .map(s => s.dataset.status)) === JSON.stringify(w),
    want, { timeout: WAIT }).catch(async e => {
    throw new Error(`GitSync timeline is ${JSON.stringify((await gitTimeline(page)).map(s => s.status))}, ` +
                    `expected ${JSON.stringify(want)}: ${e.message}`);
  });
}

// The first word of the header's verdict for `doc` (absent "required" = required).
const GOOD_STATUSES = ["Success", "Synced", "Reachable", "NotConfigured", "NoManifest"];
const DRIFT_STATUSES = ["Partial", "Diverged", "OutOfSync", "NotDeployed", "PartiallyReachable", "Unreachable"];
export function expectedVerdict(doc) {
  const req = Object.values(doc.status).filter(c => c.required !== false);
  if (req.some(c => !GOOD_STATUSES.includes(c.Status) && !DRIFT_STATUSES.includes(c.Status))) return "Failing";
  if (req.some(c => DRIFT_STATUSES.includes(c.Status))) return "Drift";
  return "In sync";
}
// Relative luminance of "rgb(r, g, b)".
export function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
// A loopback port nothing listens on.
export async function closedPort() {
  const srv = net.createServer();
  await new Promise(done => srv.listen(0, "127.0.0.1", done));
  const port = srv.address().port;
  await new Promise(done => srv.close(done));
  return port;
}
