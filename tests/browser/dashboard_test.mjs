// The dashboard in Debian's headless Chromium, against the real program:
// `infinity-sync serve` on a free loopback port, a real git checkout with a
// local bare remote, heartbeat targets on loopback fakes (tests/fakes/http_fake.py).
// It covers the verdict banner, the fix on a card, the 24 h / 7 d timelines,
// the heartbeats' uptime and sparkline, a badge, the token form, and both
// colour schemes at desktop and phone widths; the screenshots are kept in
// the artifacts folder (dashboard-{desktop,phone}-{dark,light}.png, badge-overall.png).
//
//   node dashboard_test.mjs --binary build/infinity-sync --artifacts build/test-artifacts
//
// Exits 0 when every step passed, 1 on the first failure, 77 (skipped) only
// when INFINITY_SYNC_SKIP_BROWSER=1. Every process it starts is stopped on
// every way out (success, failure, a signal, the watchdog).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WAIT, sleep, check, until, getJson, cards, assertSectionsMatch, gitTimeline, waitTimeline,
         expectedVerdict, luminance, closedPort } from "./dashboard_checks.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(HERE, "../..");
const CHROMIUM = process.env.INFINITY_SYNC_CHROMIUM || "/usr/bin/chromium";
const TOKEN = "browser-test-token-1f3a";
const WATCHDOG = 420_000;   // the whole test; below the ctest timeout

// ---- arguments and skipping --------------------------------------------------

function argument(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`usage: node dashboard_test.mjs --binary PATH --artifacts DIR (missing ${name})`);
    process.exit(64);
  }
  return path.resolve(process.argv[i + 1]);
}
const BINARY = argument("--binary");
const ARTIFACTS = argument("--artifacts");

if (process.env.INFINITY_SYNC_SKIP_BROWSER === "1") {
  console.log("SKIPPED: INFINITY_SYNC_SKIP_BROWSER=1 is set; the dashboard was not tested");
  process.exit(77);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`FAIL: ${CHROMIUM} is missing. Install Debian's chromium ` +
                `(scripts/install-deps.sh) or set INFINITY_SYNC_SKIP_BROWSER=1 to skip this test.`);
  process.exit(1);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error(`FAIL: playwright-core is not installed in ${HERE}/node_modules ` +
                `(run scripts/install-browser-deps.sh): ${e.message}`);
  process.exit(1);
}

// ---- processes we own ----------------------------------------------------------

const children = new Set();   // ChildProcess objects still running
let browser = null;
let currentPage = null;       // screenshot on failure
const started = Date.now();

function killAll(signal) {
  for (const c of children) {
    try { c.kill(signal); } catch { /* already gone */ }
  }
}
process.on("exit", () => killAll("SIGKILL"));  // the last resort: synchronous
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, async () => {
    console.error(`FAIL: got ${sig}; stopping what the test started`);
    await shutdown();
    process.exit(1);
  });
}
const watchdog = setTimeout(async () => {
  console.error(`FAIL: the test did not finish within ${WATCHDOG / 1000} s`);
  await shutdown();
  process.exit(1);
}, WATCHDOG);

async function shutdown() {
  if (browser) {
    const b = browser;
    browser = null;
    await Promise.race([b.close().catch(() => {}), sleep(10_000)]);
  }
  for (const c of [...children]) await stop(c);
}

// SIGTERM, then SIGKILL after `grace`; resolves with the exit code (or signal name).
async function stop(child, grace = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return child.exitCode ?? child.signalCode;
  }
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), grace);
  const [code, signal] = await exited;
  clearTimeout(timer);
  children.delete(child);
  return code ?? signal;
}

// Even a SIGKILLed test leaves nothing behind: the children get SIGKILL when it dies.
const SETPRIV = fs.existsSync("/usr/bin/setpriv") ? ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"] : [];

// Starts `argv`, resolves once a line of its `stream` matches `ready` (with the match).
async function startProcess(argv, { env, stream, ready, log }) {
  const full = [...SETPRIV, ...argv];
  const child = spawn(full[0], full.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  const out = fs.createWriteStream(log);
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  let seen = "";
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv[0]} did not start within 30 s:\n${seen}`)), 30_000);
    child[stream].on("data", chunk => {
      seen += chunk;
      const m = seen.match(ready);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.on("exit", code => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]} exited (${code}) before it was ready:\n${seen}`));
    });
    child.on("error", reject);
  });
  return { child, match };
}

// ---- checks ------------------------------------------------------------------

let steps = 0;
function pass(what) {
  steps++;
  console.log(`ok ${steps} - ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// ---- the world: git, fakes, config -------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "infinity-sync-browser-"));
const home = path.join(tmp, "home");
fs.mkdirSync(home);
const gitEnv = {
  PATH: process.env.PATH, HOME: home, LANG: "C.UTF-8",
  GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "test@example.invalid",
};
function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();
}
const remote = path.join(tmp, "remote.git");
const work = path.join(tmp, "work");
const other = path.join(tmp, "other");
function commit(repo, file, content) {
  fs.writeFileSync(path.join(repo, file), content);
  git(repo, "add", file);
  git(repo, "commit", "--quiet", "-m", "change " + file);
}

async function fake(name, routes) {
  const scenario = path.join(tmp, name + ".json");
  fs.writeFileSync(scenario, JSON.stringify({ routes }));
  const { match } = await startProcess(
    ["python3", path.join(SOURCE, "tests/fakes/http_fake.py"), scenario, path.join(tmp, name + ".log")],
    { env: { PATH: process.env.PATH }, stream: "stdout", ready: /READY (\d+)/, log: path.join(tmp, name + ".out") });
  return "http://127.0.0.1:" + match[1];
}

function serveEnv(extra = {}) {
  const env = { ...process.env, ...gitEnv, ...extra,
                CLOUDSDK_CONFIG: path.join(home, "gcloud"),
                GCE_METADATA_ROOT: "127.0.0.1:1", GCE_METADATA_HOST: "127.0.0.1:1",
                DOCKER_HOST: "unix://" + path.join(tmp, "no-docker.sock"), NO_COLOR: "1" };
  for (const v of ["GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GH_HOST",
                   "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN",
                   "CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT",
                   "COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "INFINITY_SYNC_TOKEN"]) {
    if (!(v in extra)) delete env[v];
  }
  return env;
}

let serverLog = "";
async function startServer(config, env) {
  serverLog = path.join(tmp, path.basename(config) + ".stderr");
  const { child, match } = await startProcess(
    [BINARY, "serve", "--config", config, "--listen", "127.0.0.1:0"],
    { env, stream: "stderr", ready: /listening on http:\/\/[^ ]*:(\d+)/, log: serverLog });
  return { child, base: "http://127.0.0.1:" + match[1] };
}

async function syncsStarted(base, token = "") {
  const r = await fetch(base + "/metrics", { headers: token ? { Authorization: "Bearer " + token } : {} });
  // Every series carries {project="...",environment="..."}.
  const m = (await r.text()).match(/^infinity_sync_syncs_started_total(?:\{[^}]*\})? (\d+)$/m);
  if (!m) throw new Error("/metrics has no infinity_sync_syncs_started_total");
  return Number(m[1]);
}
async function triggerRun(base, token = "") {
  const r = await fetch(base + "/api/sync/run",
                        { method: "POST", headers: token ? { Authorization: "Bearer " + token } : {} });
  check(r.status === 202, `POST /api/sync/run answered ${r.status}`);
}

// ---- the test ------------------------------------------------------------------

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.rmSync(path.join(ARTIFACTS, "dashboard-failure.png"), { force: true });  // from an earlier run
  git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  git(tmp, "init", "--quiet", "--initial-branch=main", work);
  git(work, "remote", "add", "origin", remote);
  commit(work, "README.md", "hello\n");
  git(work, "push", "--quiet", "-u", "origin", "main");
  git(tmp, "clone", "--quiet", remote, other);

  const github = await fake("github", [
    { path: "/rate_limit", status: 200, body: { resources: {} }, delay_ms: 40 },
    { path: "/user", status: 200, body: { login: "tester" } }]);
  const gcp = await fake("gcp", [{ path: "/", status: 503, body: "unavailable" }]);
  const edge = await fake("edge", [{ path: "/", status: 200, body: "ok", delay_ms: 10 }]);

  const conf = path.join(tmp, "conf");
  fs.mkdirSync(path.join(conf, "readiness"), { recursive: true });
  const common =
    `project: browser-test\n` +
    `git: { repo: "${work}" }\n` +
    `github: { api_url: "${github}" }\n` +
    `gcp: { api_url: "${gcp}", project: browser-test-project }\n` +
    `heartbeat:\n  degraded_after: 2s\n  timeout: 5s\n  cache_for: 10m\n` +
    `  targets: { cloudflare: { name: "Edge", url: "${edge}/" } }\n`;
  const plainConfig = path.join(conf, "infinity-sync.yaml");
  fs.writeFileSync(plainConfig, common + "server: { sync_every: 0 }\n");
  const tokenConfig = path.join(conf, "with-token.yaml");
  // With the token: the edge is down (a closed port), the badges are public.
  const closed = edge.replace(/:\d+$/, ":" + await closedPort());
  fs.writeFileSync(tokenConfig, common.replace(edge + "/", closed + "/") +
                   "server: { sync_every: 0, public_badges: true, token: \"${DASHBOARD_TEST_TOKEN}\" }\n");
  // A status from an earlier day: the page must call it stale. A failed check
  // marked "required": false is shown but does not change the verdict.
  const seed = JSON.parse(fs.readFileSync(path.join(SOURCE, "tests/fixtures/server/seed-status.json"), "utf8"));
  seed.status["CustomCheck:lint"] = { Status: "Failed", Details: ["make lint: exit 2"], required: false };
  fs.writeFileSync(path.join(conf, "readiness/infinity-sync-status.json"), JSON.stringify(seed));

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking"],
  });
  pass(`chromium ${browser.version()} started`);

  // -- 1. no token: stale status, heartbeats, Sync now, live updates, timeline
  let server = await startServer(plainConfig, serveEnv({ GH_ENTERPRISE_TOKEN: "gh-test-token" }));
  let base = server.base;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  currentPage = page;
  const pageErrors = [];
  page.on("pageerror", e => pageErrors.push(e.message));
  await page.goto(base + "/");

  await assertSectionsMatch(page, base);
  const stale = page.locator("#stale");
  await stale.waitFor({ state: "visible", timeout: WAIT });
  const staleText = await stale.textContent();
  check(/Stale: this status is from \d+ days ago/.test(staleText), `stale banner says "${staleText}"`);
  pass(`the seed status renders with a stale warning: "${staleText}"`);

  // The header: one verdict in words; the seed's auth object as sentences.
  await page.waitForFunction(() => document.querySelector("#verdict-text").textContent === "In sync",
                             null, { timeout: WAIT });
  check(await page.getAttribute("#verdict", "data-kind") === "good", "the verdict is not marked good");
  const lint = await page.textContent('#checks .card[data-id="CustomCheck:lint"]');
  check(/not required/.test(lint) && /Failed/.test(lint), `the optional check's card reads "${lint}"`);
  check(/last run \d+ days ago/.test(await page.textContent("#age")), "the header shows no age of the run");
  const authText = await page.textContent('#checks .card[data-id="AuthCheck"]');
  check(authText.includes("Signed in to GitHub") && authText.includes("Signed in to Google Cloud") &&
        !authText.includes("GitHubCLI"), `the auth card shows raw keys: "${authText}"`);
  pass(`the verdict banner says "In sync" with the run's age (a failed check that is not ` +
       "required is shown, marked, and not counted); auth details read as sentences");

  const beats = (await getJson(base, "/api/sync/heartbeat")).heartbeats;
  check(beats.length === 3, `3 heartbeats expected, got ${beats.length}`);
  const want = { "GitHub API": "healthy", "Google Cloud API": "degraded", "Edge": "healthy" };
  await page.waitForFunction(n => document.querySelectorAll("#heartbeats .card").length === n, 3, { timeout: WAIT });
  const hbCards = await cards(page, "#heartbeats");
  for (const b of beats) {
    const c = hbCards.find(x => x.name === b.service);
    check(c, `no heartbeat card for ${b.service}`);
    check(c.status === b.status && b.status === want[b.service],
          `${b.service}: page ${c.status}, API ${b.status}, expected ${want[b.service]}`);
    check(new RegExp(`(?<![0-9])${b.responseTime} ms · checked`).test(c.text),
          `${b.service} shows no response time ${b.responseTime} ms: "${c.text}"`);
  }
  check(hbCards.find(x => x.name === "Google Cloud API").text.includes("HTTP 503"),
        "the degraded heartbeat does not show HTTP 503");
  pass("heartbeats render with status and response times: " +
       beats.map(b => `${b.service} ${b.status} ${b.responseTime} ms`).join(", "));

  // "Sync now" starts a run; the page follows it with no reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  check(await syncsStarted(base) === 0, "a run started before the button was pressed");
  await page.click("#sync-now");
  await until(async () => (await syncsStarted(base)) === 1, "the server to count a run after Sync now");
  await stale.waitFor({ state: "hidden", timeout: WAIT });
  let doc = await assertSectionsMatch(page, base);
  check(doc.status.GitSync.Status === "Synced", `GitSync after the first run: ${doc.status.GitSync.Status}`);
  check(doc.timestamp !== "2026-02-18T00:50:37.123Z", "the status document did not change");
  await page.waitForFunction(() => !document.querySelector("#sync-now").disabled, null, { timeout: WAIT });
  await waitTimeline(page, ["Synced"]);
  pass(`"Sync now" started run 1 (syncs_started_total 0 -> 1); the stale warning went away`);

  // The lineage strip above the cards shows the document's hops, in order.
  const hops = await page.$$eval("#lineage .hop", l => l.map(x => x.dataset.hop));
  const wantHops = doc.lineage ? doc.lineage.hops.map(h => h.hop) : null;
  check(wantHops && wantHops.length >= 4 && JSON.stringify(hops) === JSON.stringify(wantHops),
        `lineage strip ${JSON.stringify(hops)} vs the document's ${JSON.stringify(wantHops)}`);
  check(await page.locator("#lineage-section").isVisible(), "the lineage strip is hidden");
  pass(`the lineage strip shows ${hops.join(" -> ")} above the cards`);

  // A teammate pushes: the next run (not started from the page) shows up live.
  commit(other, "feature.txt", "from a teammate\n");
  git(other, "push", "--quiet");
  await triggerRun(base);
  await until(async () => (await getJson(base, "/api/sync/status")).status.GitSync.Status === "Diverged",
              "GitSync to become Diverged after the teammate's push");
  doc = await assertSectionsMatch(page, base);
  await waitTimeline(page, ["Synced", "Diverged"]);
  check(await page.evaluate(() => window.__sameDocument === true), "the page was reloaded");
  pass("a new run's status arrived over SSE with no reload (GitSync Synced -> Diverged)");

  // The verdict names the worst required check in words; the card shows the fix.
  const wantVerdict = expectedVerdict(doc);
  const verdict = await page.waitForFunction(() => {
    const t = document.querySelector("#verdict-text").textContent;
    return /Git behind by 1/.test(t) && t;
  }, null, { timeout: WAIT }).then(h => h.jsonValue()).catch(async e => {
    throw new Error(`verdict "${await page.textContent("#verdict-text")}" does not say "Git behind by 1": ${e.message}`);
  });
  check(verdict.startsWith(wantVerdict + ": "), `verdict "${verdict}", the statuses say ${wantVerdict}`);
  check(!/GitHubCLI|GCloudCLI|: (true|false)\b/.test(verdict), `the verdict shows raw keys: "${verdict}"`);
  check(await page.getAttribute("#verdict", "data-kind") === (wantVerdict === "Drift" ? "drift" : "bad"),
        "the verdict's colour does not match");
  const fix = await page.textContent('#checks .card[data-id="GitSync"] .fix');
  const action = doc.actions.find(a => a.check === "GitSync");
  check(action && fix.includes(action.action) && fix.includes("not applied: dry run"),
        `the Git card's fix is "${fix}", the document's ${JSON.stringify(action)}`);
  check(await page.textContent('#checks .card[data-id="GitSync"] .fix code') === "git rebase @{u}",
        "the fix's command is not shown as code");
  pass(`verdict "${verdict}"; the Git card offers "${action.action}" (not applied: dry run)`);

  git(work, "pull", "--quiet", "--ff-only");
  await triggerRun(base);
  await until(async () => (await syncsStarted(base)) === 3, "run 3");
  await until(async () => (await getJson(base, "/api/sync/status")).status.GitSync.Status === "Synced",
              "GitSync to be Synced again after the pull");
  await assertSectionsMatch(page, base);
  await waitTimeline(page, ["Synced", "Diverged", "Synced"]);
  const hist = await getJson(base, "/api/sync/history?check=GitSync&limit=30");
  const fromApi = hist.runs.map(r => r.checks.find(c => c.check === "GitSync").Status).reverse();
  const segs = await gitTimeline(page);
  check(JSON.stringify(segs.map(s => s.status)) === JSON.stringify(fromApi),
        `timeline ${JSON.stringify(segs.map(s => s.status))} != history ${JSON.stringify(fromApi)}`);
  check(segs[1].title.includes("Diverged") && /Behind origin\/main by 1 commit/.test(segs[1].title),
        `the Diverged segment's tooltip lacks its details: "${segs[1].title}"`);
  const transitions = await page.$$eval('#checks .card[data-id="GitSync"] .transitions li', l => l.map(x => x.textContent));
  check(transitions.length >= 2 && transitions[0].startsWith("Diverged → Synced") &&
        transitions[1].startsWith("Synced → Diverged"),
        `GitSync transitions shown: ${JSON.stringify(transitions)}`);
  pass(`the GitSync timeline shows the runs made (${fromApi.join(", ")}) with tooltips and transitions`);

  // The long views: 24 h / 7 d buckets from history, uptime and a latency sparkline.
  await page.click('#check-window button[data-window="24h"]');
  await page.waitForFunction(() => {
    const segs = [...document.querySelectorAll('#checks .card[data-id="GitSync"] .timeline.buckets .seg')];
    return segs.length === 48 && segs[47].dataset.status !== "";
  }, null, { timeout: WAIT });
  const last = await page.$eval('#checks .card[data-id="GitSync"] .timeline.buckets .seg:last-child', s => s.title);
  check(/3 runs/.test(last) && /Diverged/.test(last), `the newest 24 h bucket says "${last}"`);
  await page.click('#check-window button[data-window="7d"]');
  await page.waitForFunction(() =>
    document.querySelectorAll('#checks .card[data-id="GitSync"] .timeline.buckets[data-window="7d"] .seg').length === 84,
    null, { timeout: WAIT });
  pass(`24 h and 7 d timelines come from history (newest 24 h bucket: "${last.split(" · ").slice(1).join(" · ")}")`);

  const gh = '#heartbeats .card[data-target="github"]';
  await page.waitForFunction(sel => Number(document.querySelector(sel + " svg.sparkline")?.dataset.points) >= 1,
                             gh, { timeout: WAIT });
  const uptime = await page.textContent(gh + " .uptime");
  check(/uptime 100% \(24 h\) · 100% \(7 d\)/.test(uptime), `GitHub's uptime reads "${uptime}"`);
  const spark = await page.$eval(gh + " svg.sparkline", s => ({ label: s.getAttribute("aria-label"),
                                                                line: !!s.querySelector("polyline, circle.dot") }));
  check(spark.line && /latency over 24 h: mean \d+ ms/.test(spark.label), `sparkline: ${JSON.stringify(spark)}`);
  await page.click('#beat-window button[data-window="7d"]');
  await page.waitForSelector(gh + ' svg.sparkline[data-window="7d"]', { timeout: WAIT });
  pass(`heartbeats show uptime ("${uptime}") and a latency sparkline ("${spark.label}")`);

  // Both themes, at desktop and phone widths.
  await page.click('#check-window button[data-window="runs"]');
  for (const scheme of ["dark", "light"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = luminance(bg) > 0.6;
    check(light === (scheme === "light"), `${scheme} theme has the background ${bg}`);
    for (const [name, width, height] of [["desktop", 1280, 900], ["phone", 390, 844]]) {
      await page.setViewportSize({ width, height });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `${scheme}: the page is ${overflow} px wider than ${width} px`);
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}-${scheme}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "dark" });
  pass("dark and light themes follow prefers-color-scheme; no overflow at 1280 or 390 px " +
       "(dashboard-{desktop,phone}-{dark,light}.png)");

  // Readable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page is ${overflow} px wider than a 390 px phone screen`);
  await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });
  pass("no horizontal overflow at 390 px (dashboard-phone.png)");
  check(pageErrors.length === 0, "page errors: " + pageErrors.join("; "));

  // A README badge: the overall verdict as an SVG image.
  const badgePage = await context.newPage();
  currentPage = badgePage;
  const answer = await badgePage.goto(base + "/badge/overall.svg");
  check(answer.status() === 200 && answer.headers()["content-type"] === "image/svg+xml",
        `the badge answered ${answer.status()} ${answer.headers()["content-type"]}`);
  const badgeTitle = await badgePage.evaluate(() => document.documentElement.localName === "svg" &&
                                                    document.querySelector("title").textContent);
  const wantBadge = "sync: " + { "In sync": "in sync", Drift: "drift", Failing: "failing" }[
    expectedVerdict(await getJson(base, "/api/sync/status"))];
  check(badgeTitle === wantBadge, `the badge says "${badgeTitle}", expected "${wantBadge}"`);
  const box = await badgePage.evaluate(() => document.documentElement.getBoundingClientRect().width);
  check(box > 40 && box < 200, `the badge is ${box} px wide`);
  await badgePage.setViewportSize({ width: Math.ceil(box), height: 20 });
  await badgePage.screenshot({ path: path.join(ARTIFACTS, "badge-overall.png") });
  pass(`/badge/overall.svg renders as "${badgeTitle}" (${box} px, badge-overall.png)`);
  await context.close();

  let code = await stop(server.child);
  check(code === 0, `serve exited with ${code} on SIGTERM:\n${fs.readFileSync(serverLog, "utf8")}`);

  // -- 2. with server.token: the page asks for it, then works with it
  server = await startServer(tokenConfig, serveEnv({ GH_ENTERPRISE_TOKEN: "gh-test-token", DASHBOARD_TEST_TOKEN: TOKEN }));
  base = server.base;
  const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page2 = await ctx2.newPage();
  currentPage = page2;
  page2.on("pageerror", e => pageErrors.push(e.message));
  const requests = [];
  page2.on("request", r => requests.push({ url: r.url(), auth: r.headers()["authorization"] || "" }));
  await page2.goto(base + "/");
  const form = page2.locator("#token-form");
  await form.waitFor({ state: "visible", timeout: WAIT });
  check(await page2.locator("#checks .card").count() === 0, "checks shown before the token was given");
  await page2.fill("#token-input", "not-the-token");
  await page2.click("#token-submit");
  await page2.waitForFunction(() => /refused/.test(document.querySelector("#token-message").textContent) &&
                              !document.querySelector("#token-form").hidden, null, { timeout: WAIT });
  pass("with server.token the page asks for the token and says when it is refused");

  await page2.fill("#token-input", TOKEN);
  await page2.click("#token-submit");
  await form.waitFor({ state: "hidden", timeout: WAIT });
  await assertSectionsMatch(page2, base, TOKEN);
  await page2.waitForFunction(() => document.querySelectorAll("#heartbeats .card").length === 3, null, { timeout: WAIT });
  await page2.waitForFunction(() => document.querySelector("#live").textContent === "live", null, { timeout: WAIT });
  check(await page2.evaluate(k => sessionStorage.getItem(k), "infinity-sync.token") === TOKEN,
        "the token is not kept in sessionStorage");
  await waitTimeline(page2, ["Synced", "Diverged", "Synced"]);
  pass("the right token opens the dashboard (sections, heartbeats, history, live stream)");

  // A heartbeat with no answer shows why, not "0 ms".
  const down = await page2.waitForFunction(() => {
    const c = [...document.querySelectorAll("#heartbeats .card")].find(x => x.dataset.target === "cloudflare");
    return c && c.querySelector(".badge").textContent === "down" && c.textContent;
  }, null, { timeout: WAIT }).then(h => h.jsonValue());
  check(/refused|connect/.test(down) && !/\b0 ms\b/.test(down), `the down heartbeat's card reads "${down}"`);
  pass(`a down heartbeat shows its error: "${down.replace(/\s+/g, " ").slice(0, 90)}"`);

  // server.public_badges: the badge needs no token, the API still does.
  const noToken = await fetch(base + "/badge/git.svg");
  const svgText = await noToken.text();
  check(noToken.status === 200 && svgText.startsWith("<svg") && /<title>git: /.test(svgText),
        `/badge/git.svg without a token answered ${noToken.status}: ${svgText.slice(0, 120)}`);
  check((await fetch(base + "/api/sync/status")).status === 401, "the API answered without the token");
  pass("with server.public_badges the badge answers without the token; the API still needs it");

  // The stream is read with fetch() and the header: a run started from the page shows up.
  commit(other, "second.txt", "again\n");
  git(other, "push", "--quiet");
  // Behind with uncommitted changes: no fix is offered, and the card says why.
  fs.appendFileSync(path.join(work, "README.md"), "local edit\n");
  const before = await syncsStarted(base, TOKEN);
  await page2.click("#sync-now");
  await until(async () => (await syncsStarted(base, TOKEN)) === before + 1, "a run after Sync now (token)");
  await page2.waitForFunction(
    () => document.querySelector('#checks .card[data-id="GitSync"] h3 .badge')?.textContent === "Diverged",
    null, { timeout: WAIT });
  await assertSectionsMatch(page2, base, TOKEN);
  await waitTimeline(page2, ["Synced", "Diverged", "Synced", "Diverged"]);
  const withheld = await page2.textContent('#checks .card[data-id="GitSync"] .fix');
  const gitNow = (await getJson(base, "/api/sync/status", TOKEN)).status.GitSync;
  check(gitNow.FixWithheld && withheld === "No fix offered: " + gitNow.FixWithheld &&
        /uncommitted/.test(withheld), `the Git card's fix reads "${withheld}" (document: ${gitNow.FixWithheld})`);
  pass(`a withheld fix says why on the card: "${withheld}"`);
  const api = requests.filter(r => new URL(r.url).pathname.startsWith("/api/"));
  check(api.some(r => r.url.endsWith("/api/sync/events") && r.auth === "Bearer " + TOKEN),
        "the event stream was not opened with the bearer header");
  check(api.some(r => r.url.endsWith("/api/sync/run") && r.auth === "Bearer " + TOKEN),
        "Sync now did not send the bearer header");
  check(requests.every(r => !r.url.includes(TOKEN) && !r.url.includes("not-the-token")),
        "a token appeared in a URL");
  pass(`with the token: Sync now ran (syncs_started_total ${before} -> ${before + 1}) and the ` +
       "fetch()-read event stream updated the page; no token in any URL");

  const shot = path.join(ARTIFACTS, "dashboard.png");
  await page2.screenshot({ path: shot, fullPage: true });
  check(fs.statSync(shot).size > 10_000, "the screenshot is suspiciously small");
  check(pageErrors.length === 0, "page errors: " + pageErrors.join("; "));
  await ctx2.close();
  code = await stop(server.child);
  check(code === 0, `serve (token) exited with ${code} on SIGTERM:\n${fs.readFileSync(serverLog, "utf8")}`);
  pass(`screenshot: ${shot}`);

  // -- 3. a fleet: two projects served here (projects:), a third environment
  // written by another process into the same store; the matrix, its links to
  // a project's page, and a `fleet` event when yet another writer records.
  const fleetStore = "sqlite:" + path.join(tmp, "fleet.db");
  const project = (file, name, environment, repo) => {
    fs.writeFileSync(path.join(conf, file),
      `project: ${name}\nenvironment: ${environment}\ngit: { repo: "${repo}", fetch: false }\n` +
      `status_file: "${path.join(tmp, name + "-" + environment, "status.json")}"\n` +
      `store: "${fleetStore}"\nauth: { enabled: false }\ndocker: { enabled: false }\n` +
      `gcp: { enabled: false }\ncloudflare: { enabled: false }\ngithub: { api_url: "${github}" }\n` +
      `heartbeat: { targets: { gcp: { url: "${gcp}/" }, cloudflare: { url: "${edge}/" } } }\n`);
    return path.join(conf, file);
  };
  git(other, "pull", "--quiet");
  git(work, "checkout", "--quiet", "--", ".");
  git(work, "pull", "--quiet");
  project("alpha.yaml", "alpha", "laptop", work);
  project("beta.yaml", "beta", "laptop", tmp);  // not a repository: GitSync Failed
  const writeRun = file => {
    // A failed check exits 2: that is a run recorded, not an error here.
    const r = spawnSync(BINARY, ["run", "--only", "git", "--dry-run", "--config", file],
                        { env: serveEnv(), encoding: "utf8" });
    check(r.status === 0 || r.status === 2, `run --config ${file} exited ${r.status}: ${r.stderr}`);
  };
  writeRun(project("alpha-ci.yaml", "alpha", "ci", other));
  const topConfig = path.join(conf, "projects.yaml");
  fs.writeFileSync(topConfig, "projects: [alpha.yaml, beta.yaml]\nserver: { sync_every: 0 }\n");
  server = await startServer(topConfig, serveEnv());
  const fleetBase = server.base;
  for (const name of ["alpha", "beta"]) {
    const r = await fetch(`${fleetBase}/api/projects/${name}/sync/run`, { method: "POST" });
    check(r.status === 202, `POST /api/projects/${name}/sync/run answered ${r.status}`);
  }
  await until(async () => (await getJson(fleetBase, "/api/fleet")).runs.length === 3, "three fleet rows");
  const ctx3 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page3 = await ctx3.newPage();
  currentPage = page3;
  const errors3 = [];
  page3.on("pageerror", e => errors3.push(String(e)));
  await page3.goto(fleetBase + "/");
  await page3.waitForFunction(() => document.querySelectorAll("#fleet td.cell:not(.empty)").length === 3,
                              null, { timeout: WAIT });
  const cell = (p, e) => page3.$eval(`#fleet td[data-project="${p}"][data-environment="${e}"] .badge`,
                                     b => b.textContent);
  check(await cell("alpha", "laptop") === "In sync", `alpha/laptop reads ${await cell("alpha", "laptop")}`);
  check(await cell("alpha", "ci") === "In sync", `alpha/ci reads ${await cell("alpha", "ci")}`);
  check(await cell("beta", "laptop") === "Failing", `beta/laptop reads ${await cell("beta", "laptop")}`);
  check(await page3.$$eval("#fleet td.empty", tds => tds.length) === 1, "beta/ci is not the one empty cell");
  pass("the fleet matrix: 2 projects x 2 environments, each cell the latest run's verdict");
  await page3.screenshot({ path: path.join(ARTIFACTS, "dashboard-fleet.png"), fullPage: true });

  // A writer elsewhere records: the `fleet` event adds its column, no reload.
  await page3.evaluate(() => { window.__sameDocument = true; });
  writeRun(project("beta-staging.yaml", "beta", "staging", tmp));
  await page3.waitForFunction(() => document.querySelector('#fleet td[data-environment="staging"]'),
                              null, { timeout: WAIT });
  check(await page3.evaluate(() => window.__sameDocument === true), "the page reloaded for the fleet event");
  pass("a run written by another process reached the matrix through the fleet event");

  // The project's name leads to its own page: its routes, its checks.
  await page3.click('#fleet th a:text-is("beta")');
  await page3.waitForURL(/\?project=beta$/, { timeout: WAIT });
  await page3.waitForFunction(
    () => document.querySelector('#checks .card[data-id="GitSync"] h3 .badge')?.textContent === "Failed",
    null, { timeout: WAIT });
  check(await page3.textContent("#verdict-text") !== "In sync", "beta's page says In sync");
  check(errors3.length === 0, "page errors: " + errors3.join("; "));
  pass("a project's name in the matrix opens its page (?project=beta: /api/projects/beta/sync/*)");
  await ctx3.close();
  code = await stop(server.child);
  check(code === 0, `serve (projects) exited with ${code} on SIGTERM:\n${fs.readFileSync(serverLog, "utf8")}`);
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.stack || e}`);
  if (currentPage && !currentPage.isClosed()) {
    const shot = path.join(ARTIFACTS, "dashboard-failure.png");
    await currentPage.screenshot({ path: shot, fullPage: true, timeout: 10_000 })
      .then(() => console.error(`the page at the failure: ${shot}`), () => {});
  }
  if (serverLog && fs.existsSync(serverLog)) {
    console.error("--- serve stderr ---\n" + fs.readFileSync(serverLog, "utf8").slice(-4000));
  }
} finally {
  clearTimeout(watchdog);
  await shutdown();
  if (!failed) fs.rmSync(tmp, { recursive: true, force: true });
  else console.error(`kept for a look: ${tmp}`);
}
console.log(`${steps} passed, ${failed ? 1 : 0} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
