// Tagline's service worker: offline reading of recently read and saved
// articles. Pages are fetched from the network first, so readers always see
// fresh news when online; the caches are only a fallback.
const VERSION = "tagline-v1";
const SHELL = "tagline-shell-" + VERSION;
const RECENT = "tagline-recent";
const SAVED = "tagline-saved";
const RECENT_MAX = 50;
const SHELL_URLS = ["/offline", "/static/tagline.css", "/static/app.js", "/static/icons/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("tagline-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

async function remember(request, response) {
  const cache = await caches.open(RECENT);
  await cache.put(request, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - RECENT_MAX))) {
    await cache.delete(old);
  }
}

async function fromCaches(request) {
  for (const name of [SAVED, RECENT, SHELL]) {
    const hit = await (await caches.open(name)).match(request, { ignoreSearch: false });
    if (hit) return hit;
  }
  return undefined;
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/admin")) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromCaches(req).then((hit) => hit || fetch(req)));
    return;
  }
  event.respondWith(
    fetch(req)
      .then((response) => {
        if (response.ok && url.pathname.startsWith("/article/")) {
          event.waitUntil(remember(req, response.clone()));
        }
        return response;
      })
      .catch(async () => {
        const hit = await fromCaches(req);
        if (hit) return hit;
        if (req.mode === "navigate") return (await caches.open(SHELL)).match("/offline");
        return Response.error();
      })
  );
});

// The page asks to save or forget an article for offline reading.
self.addEventListener("message", (event) => {
  const { type, url } = event.data || {};
  if (!url) return;
  const done = (ok) => event.source && event.source.postMessage({ type: type + "-done", url, ok });
  if (type === "save") {
    event.waitUntil(caches.open(SAVED).then((c) => c.add(url)).then(() => done(true), () => done(false)));
  } else if (type === "forget") {
    event.waitUntil(caches.open(SAVED).then((c) => c.delete(url)).then(() => done(true)));
  }
});
