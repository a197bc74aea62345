// Progressive enhancement only: every page reads fully without this file.
// It registers the service worker, offers "Get the app" where the browser
// allows installing, and turns "Save for offline" buttons on.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});

  var installButton = document.getElementById("install");
  var deferred = null;
  window.addEventListener("beforeinstallprompt", function (e) {
    e.preventDefault();
    deferred = e;
    if (installButton) installButton.hidden = false;
  });
  if (installButton) {
    installButton.addEventListener("click", function () {
      if (!deferred) return;
      deferred.prompt();
      deferred.userChoice.finally(function () {
        deferred = null;
        installButton.hidden = true;
      });
    });
  }

  var status = document.getElementById("save-status");
  document.querySelectorAll("button[data-save]").forEach(function (button) {
    button.hidden = false;
    var url = button.getAttribute("data-save");
    caches.open("tagline-saved").then(function (c) { return c.match(url); }).then(function (hit) {
      if (hit) { button.textContent = "Saved for offline reading"; button.setAttribute("aria-pressed", "true"); }
    });
    button.addEventListener("click", function () {
      var saved = button.getAttribute("aria-pressed") === "true";
      navigator.serviceWorker.ready.then(function (reg) {
        reg.active.postMessage({ type: saved ? "forget" : "save", url: url });
      });
    });
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (!e.data || e.data.url !== url) return;
      var nowSaved = e.data.type === "save-done" && e.data.ok;
      button.setAttribute("aria-pressed", nowSaved ? "true" : "false");
      button.textContent = nowSaved ? "Saved for offline reading" : "Save for offline reading";
      if (status) status.textContent = nowSaved ? "Saved. You can read this article offline." : "Removed from offline reading.";
    });
  });

  var list = document.getElementById("saved-list");
  if (list) {
    Promise.all(["tagline-saved", "tagline-recent"].map(function (n) {
      return caches.open(n).then(function (c) { return c.keys(); });
    })).then(function (all) {
      var seen = {};
      all.forEach(function (keys) {
        keys.forEach(function (req) {
          var path = new URL(req.url).pathname;
          if (seen[path]) return;
          seen[path] = true;
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = path;
          a.textContent = path;
          li.appendChild(a);
          list.appendChild(li);
        });
      });
    });
  }
})();
