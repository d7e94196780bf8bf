// ward live counters: keeps the Today page's counters current through the
// server-sent events of /events. The page works without this script; it
// only saves a reload. No inline code: the CSP allows scripts from 'self'.
(function () {
  "use strict";
  var list = document.querySelector("[data-live]");
  if (!list || !window.EventSource) {
    return;
  }
  var note = document.getElementById("live-note");
  var shown = {};
  list.querySelectorAll("[data-count]").forEach(function (el) {
    shown[el.getAttribute("data-count")] = el.textContent.trim();
  });
  var source = new EventSource(list.getAttribute("data-live"));
  source.addEventListener("counts", function (ev) {
    var counts;
    try {
      counts = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    var changed = false;
    list.querySelectorAll("[data-count]").forEach(function (el) {
      var key = el.getAttribute("data-count");
      if (!(key in counts)) {
        return;
      }
      var value = String(counts[key]);
      if (el.textContent.trim() !== value) {
        el.textContent = value;
      }
      if (value !== shown[key]) {
        changed = true;
      }
    });
    if (note) {
      note.hidden = !changed;
    }
    list.setAttribute("data-live-state", "live");
  });
  source.addEventListener("error", function () {
    list.setAttribute("data-live-state", source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  });
  // Close before the page goes away, so the server frees the stream.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
