/*
 * A live blog's poller (docs/live.md). Every data-live-poll seconds it asks the fragment endpoint for what
 * changed since the page's cursor, with If-None-Match: a 304 means nothing did. Edits and removals apply in
 * place; new updates wait behind an "N new updates" button in an aria-live region, so the text a reader
 * is reading never jumps. It stops once the coverage has ended, or the endpoint is gone (unpublished).
 */
(function () {
  "use strict";
  var blog = document.getElementById("live");
  if (!blog || !window.fetch) { return; }
  var endpoint = blog.dataset.liveEndpoint;
  var cursor = blog.dataset.liveCursor;
  var seconds = Math.max(parseInt(blog.dataset.livePoll, 10) || 15, 1);
  var etag = null;
  var pending = {};  // id -> {html, pinned}, newest first by arrival
  var pendingOrder = [];
  var timer = null;
  var button = document.getElementById("live-new");
  var status = document.getElementById("live-status");
  var keyEvents = document.getElementById("live-key-events");
  var keyEventsHtml = null;
  var lists = { pinned: document.getElementById("live-pinned"), rest: document.getElementById("live-updates") };

  function element(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function shown(id) { return document.getElementById("update-" + id); }

  function place(node, pinned) {
    var list = pinned ? lists.pinned : lists.rest;
    list.insertBefore(node, list.firstElementChild);
    list.hidden = false;
  }

  function showPending() {
    var ids = pendingOrder.slice();  // oldest first, each inserted at the top
    ids.forEach(function (id) {
      var update = pending[id];
      if (!shown(id)) { place(element(update.html), update.pinned); }
    });
    pending = {};
    pendingOrder = [];
    if (keyEventsHtml !== null) {
      keyEvents.innerHTML = keyEventsHtml;
      keyEvents.hidden = keyEventsHtml.trim() === "";
    }
    button.hidden = true;
    button.textContent = "";
    var first = ids.length ? shown(ids[ids.length - 1]) : null;
    if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
  }

  function announce() {
    var count = pendingOrder.length;
    if (!count) { button.hidden = true; return; }
    button.textContent = count === 1 ? "1 new update" : count + " new updates";
    button.hidden = false;
  }

  function apply(data) {
    var visible = {};
    data.visible.forEach(function (id) { visible[id] = true; });
    document.querySelectorAll(".live-update[data-update-id]").forEach(function (node) {
      if (!visible[node.dataset.updateId]) { node.remove(); }  // deleted or unpublished
    });
    Object.keys(pending).forEach(function (id) {
      if (!visible[id]) { delete pending[id]; pendingOrder.splice(pendingOrder.indexOf(id), 1); }
    });
    data.updates.slice().reverse().forEach(function (update) {
      var id = String(update.id);
      var node = shown(id);
      if (node) {
        if (node.dataset.version === update.version) { return; }
        var fresh = element(update.html);
        if ((node.dataset.pinned === "true") === update.pinned) { node.replaceWith(fresh); }
        else { node.remove(); place(fresh, update.pinned); }
        return;
      }
      if (!pending[id]) { pendingOrder.push(id); }
      pending[id] = update;
    });
    keyEventsHtml = data.key_events_html;
    status.innerHTML = data.status_html;
    cursor = data.cursor;
    blog.dataset.liveCursor = cursor;
    blog.dataset.liveState = data.state;
    announce();
  }

  function poll() {
    var url = endpoint + "?since=" + encodeURIComponent(cursor);
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (response.status === 304) { return null; }
      if (response.status === 404) { stop(); return null; }
      if (!response.ok) { return null; }
      etag = response.headers.get("ETag");
      return response.json();
    }).then(function (data) {
      if (data) {
        var before = cursor;
        apply(data);
        if (cursor !== before) { etag = null; }  // another URL: its own ETag
        if (data.state !== "live") { stop(); return; }
      }
      schedule();
    }).catch(schedule);
  }

  function schedule() {
    if (blog.dataset.liveState === "live") { timer = window.setTimeout(poll, seconds * 1000); }
  }

  function stop() {
    window.clearTimeout(timer);
    blog.dataset.liveState = blog.dataset.liveState === "live" ? "stopped" : blog.dataset.liveState;
    blog.dataset.livePolling = "stopped";
  }

  button.addEventListener("click", showPending);
  blog.dataset.livePolling = "on";
  schedule();
  if (blog.dataset.liveState !== "live") { stop(); }
}());
