"use strict";
// Autosave, "unsaved changes" and presence for the article change form (desk/autosave.py), and autosave for
// the add form (no version, no presence: the panel has no data-version or data-presence-url there).
// Every few seconds (data-interval) the form is posted to data-autosave-url if it differs from what the
// server last kept, or a heartbeat goes to data-presence-url; leaving a field autosaves too. The reply
// names who else has the article open and its current version: a colleague's save shows up here before
// this form's Save would meet it as a conflict. Leaving the page with changes not saved to the article asks
// first; closing it tells the server this form is gone.
(function () {
  function start() {
    var panel = document.getElementById("autosave-panel");
    var form = document.getElementById("article_form");
    if (!panel || !form) return;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var status = panel.querySelector(".autosave-status");
    var others = panel.querySelector(".autosave-others");
    var autosaveUrl = panel.dataset.autosaveUrl;
    var loadedVersion = panel.dataset.version;
    var interval = Math.max(1, parseInt(panel.dataset.interval, 10) || 30) * 1000;

    function serialize() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && name !== "csrfmiddlewaretoken") params.append(name, value);
      });
      return params.toString();
    }

    var loaded = panel.dataset.unsaved ? null : serialize(); // the article as it was opened
    var kept = serialize(); // what the server has: the article, or the last autosave
    var submitting = false;
    var busy = false;
    var lastSent = 0;

    function post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
      }).then(function (response) {
        return response.json().then(function (reply) {
          if (!response.ok) throw new Error(reply.error || "HTTP " + response.status);
          return reply;
        });
      });
    }

    function clock(iso) {
      return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }

    function show(reply) {
      status.classList.remove("is-failing");
      if (reply.saved_at) status.textContent = "Autosaved at " + new Date(reply.saved_at).toLocaleTimeString() + ".";
      var behind = loadedVersion !== undefined && String(reply.version) !== String(loadedVersion);
      status.classList.toggle("is-behind", behind);
      if (behind) {
        status.textContent += " Someone else has saved this article since you opened it: saving will show you their changes first.";
      }
      others.textContent = reply.others.length
        ? "Also open by " + reply.others.map(function (o) { return o.name + " (since " + clock(o.since) + ")"; }).join(", ") + "."
        : "";
    }

    function failed(error) {
      status.classList.add("is-failing");
      status.textContent =
        "Autosave failed (" + error.message + "): your latest changes are only in this window. Keep it open and save when you can.";
    }

    function tick() {
      if (busy || submitting) return;
      busy = true;
      lastSent = Date.now();
      var current = serialize();
      var changed = autosaveUrl && current !== kept;
      if (!changed && !panel.dataset.presenceUrl) { busy = false; return; } // a new article: nothing to say
      var request = changed
        ? post(autosaveUrl, current).then(function (reply) { kept = current; return reply; })
        : post(panel.dataset.presenceUrl, "");
      request.then(show, failed).finally(function () { busy = false; });
    }

    window.setInterval(tick, interval);
    form.addEventListener("focusout", function () {
      if (Date.now() - lastSent > 1000) tick();
    });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || serialize() === loaded) return;
      event.preventDefault();
      event.returnValue = ""; // the browser shows its own "leave site? changes you made may not be saved"
    });
    window.addEventListener("pagehide", function () {
      if (!panel.dataset.leaveUrl) return;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf);
      navigator.sendBeacon(panel.dataset.leaveUrl, body);
    });
  }

  // After the prose editor and the autocomplete widgets have set up their fields.
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
