// Browser checks of a running Tagline, in headless Chromium (Debian's
// package) driven by playwright-core. Usage:
//
//   node run.mjs http://127.0.0.1:8080 [screenshot-dir]
//
// For every page type it checks: no console errors, no uncaught errors, no
// serious or critical axe-core violation. Then it uses the links and forms,
// installs the service worker and reads an article offline. With
// TAGLINE_PID set, the server is killed for the offline part, so run it last. Prints one line
// per check and exits non-zero on the first failure list.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = (process.argv[2] || "http://127.0.0.1:8080").replace(/\/$/, "");
const shots = process.argv[3];
const failures = [];
const fail = (what) => { failures.push(what); console.log("FAIL " + what); };
const ok = (what) => console.log("ok   " + what);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

function watch(page) {
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push("console: " + m.text()); });
  page.on("pageerror", (e) => errors.push("pageerror: " + e.message));
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) errors.push("third-party request: " + r.url()); });
  return errors;
}

// axe-core is loaded as an init script (through DevTools, like the test
// driver itself): the site's Content-Security-Policy rightly refuses an
// injected inline <script>.
async function axe(page) {
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function json(path) {
  const r = await fetch(base + path);
  if (!r.ok) throw new Error(path + " -> " + r.status);
  return r.json();
}

// Discover real page addresses from the API, so the checks follow the data.
const tags = (await json("/api/v1/tags")).tags;
const articles = (await json("/api/v1/articles?limit=5")).articles;
const sources = (await json("/api/v1/sources")).sources;
if (!tags.length || !articles.length || !sources.length) {
  fail("the instance has no tags, articles or sources to check");
}
const tag = tags[0].name;
const article = articles[0];
const region = (sources.find((s) => s.region) || { region: "MY" }).region;
const category = (article.categories[0] || "world").toLowerCase();
const pages = {
  home: "/",
  topic: "/tag/" + encodeURIComponent(tag),
  category: "/category/" + category,
  source: "/source/" + sources[0].slug,
  edition: "/edition/" + region,
  article: "/article/" + article.id,
  story: "/story/" + article.story,
  search: "/search?q=" + encodeURIComponent(article.title.split(/\s+/).slice(0, 2).join(" ")),
  "topic suggestions": "/tag?name=" + encodeURIComponent(tag.slice(0, 2)),
  offline: "/offline",
};

for (const scheme of ["light", "dark"]) {
  const context = await browser.newContext({ colorScheme: scheme });
  await context.addInitScript({ content: AXE });
  for (const [name, path] of Object.entries(pages)) {
    const page = await context.newPage();
    const errors = watch(page);
    const resp = await page.goto(base + path, { waitUntil: "load" });
    if (!resp || resp.status() !== 200) fail(`${name} (${path}) answered ${resp && resp.status()}`);
    const serious = await axe(page);
    for (const v of serious) fail(`${name} [${scheme}]: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ${v.nodes[0].target})`);
    for (const e of errors) fail(`${name} [${scheme}]: ${e}`);
    if (!serious.length && !errors.length) ok(`${name} [${scheme}] renders with no console error and no serious axe violation`);
    await page.close();
  }
  await context.close();
}

// Links and forms, as a reader uses them.
{
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(base + "/");
  await page.fill("#tag-q", "#" + tag);
  await Promise.all([page.waitForURL(/\/tag\//), page.press("#tag-q", "Enter")]);
  (await page.locator("h1").innerText()).includes("#" + tag) ? ok("the # form opens the topic page") : fail("the # form did not open #" + tag);

  await page.locator("ol.cards li.card h2 a").first().click();
  await page.waitForURL(/\/article\/\d+/);
  (await page.locator("article h1").count()) === 1 ? ok("a card's headline opens its article") : fail("card link did not open an article");

  await page.goto(base + "/search");
  await page.fill("#q", article.title.split(/\s+/)[0]);
  await Promise.all([page.waitForURL(/\/search\?/), page.click("form.search-form button[type=submit]")]);
  (await page.locator("[role=status]").first().innerText()).match(/\d+ results/) ? ok("the search form returns results") : fail("search form");
  (await page.locator("mark").count()) > 0 ? ok("search snippets highlight the words") : fail("no highlighted snippet");

  await page.goto(base + "/");
  if (await page.locator("#edition-pick").count()) {
    await page.selectOption("#edition-pick", region);
    await Promise.all([page.waitForURL(/\/edition\//), page.locator("#edition-pick").evaluate((s) => s.form.submit())]);
    const cookies = await context.cookies();
    cookies.some((c) => c.name === "edition" && c.value === region) ? ok("the edition picker remembers the choice") : fail("no edition cookie");
    await page.goto(base + "/");
    (await page.locator("#local-h").count()) === 1 ? ok("home shows the chosen edition first") : fail("home ignores the edition");
  }

  // Every link on the home page resolves.
  const hrefs = await page.$$eval("a[href^='/']", (as) => [...new Set(as.map((a) => a.getAttribute("href")))]);
  let broken = 0;
  for (const h of hrefs) {
    const r = await fetch(base + h);
    if (r.status !== 200) { broken++; fail(`link ${h} answered ${r.status}`); }
  }
  if (!broken) ok(`all ${hrefs.length} links on the home page answer 200`);
  for (const e of errors) fail("links and forms: " + e);
  await context.close();
}

if (shots) {
  mkdirSync(shots, { recursive: true });
  // The busiest topic, the story told by the most outlets, the first screen.
  const stories = (await json("/api/v1/stories?limit=50")).stories;
  const biggest = stories.reduce((a, s) => (s.outlet_count > a.outlet_count ? s : a), stories[0]);
  const views = { topic: pages.topic, story: "/story/" + biggest.id, home: "/" };
  for (const [label, viewport] of [["mobile", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 900 }]]) {
    for (const scheme of ["light", "dark"]) {
      const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
      const page = await context.newPage();
      for (const [name, path] of Object.entries(views)) {
        await page.goto(base + path);
        await page.screenshot({ path: `${shots}/${name}-${label}-${scheme}.png`, fullPage: false });
      }
      await context.close();
    }
  }
  ok("screenshots written to " + shots);
}

// The app: the service worker installs and an article opens offline.
{
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(base + "/");
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  scope === base + "/" ? ok("the service worker installs for the whole site") : fail("service worker scope " + scope);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Read one article (kept as recently read) and save another.
  await page.goto(base + pages.article);
  const title = await page.locator("article h1").innerText();
  const other = articles.find((a) => a.id !== article.id);
  if (other) {
    await page.goto(base + "/article/" + other.id);
    await page.click("button[data-save]");
    await page.waitForFunction(() => document.querySelector("button[data-save]").getAttribute("aria-pressed") === "true");
    ok("an article can be saved for offline reading");
  }
  // Really offline: the server itself stops (playwright's offline mode
  // does not reach a service worker's own fetches).
  const pid = Number(process.env.TAGLINE_PID || 0);
  if (pid) {
    process.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
  } else {
    console.log("note: TAGLINE_PID not set; offline is only emulated");
  }
  await context.setOffline(true);
  await page.goto(base + pages.article);
  (await page.locator("article h1").innerText()) === title ? ok("a recently read article opens offline") : fail("recent article not offline");
  if (other) {
    await page.goto(base + "/article/" + other.id);
    (await page.locator("article h1").innerText()) === other.title ? ok("a saved article opens offline") : fail("saved article not offline");
  }
  await page.goto(base + "/category/sports?never-visited");
  const offlineH1 = await page.locator("h1").first().innerText().catch((e) => "error: " + e.message);
  offlineH1.includes("offline") ? ok("an unsaved page offline shows the offline page") : fail("no offline page: " + offlineH1);
  for (const e of errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))) fail("app: " + e);
  await context.close();
}

await browser.close();
console.log(failures.length ? `${failures.length} browser checks failed` : "all browser checks passed");
process.exit(failures.length ? 1 : 0);
