// ward hub pages, live: keeps the numbers of the hub's alert list and alert
// page current through the server-sent events of /hub/events, and on an
// alert's page fetches the page again when a report arrived, to show the
// new report table, charts and call list. The pages work without this
// script (the alert page then reloads itself while reports come in). No
// inline code: the CSP allows scripts from 'self'.
(function () {
  "use strict";
  var root = document.querySelector("[data-hub-live]");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var note = document.getElementById("live-note");
  // reloadOn is the alert whose page this is, if it is one.
  var reloadOn = root.getAttribute("data-reload-on");
  var last = root.getAttribute("data-last") || "";
  var shared = Number(root.getAttribute("data-shared") || "0");
  var fetching = false;
  var again = false;

  // refresh fetches this page and swaps in its live parts.
  function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live-part]").forEach(function (el) {
          var fresh = doc.getElementById(el.id);
          if (fresh) {
            el.replaceWith(document.importNode(fresh, true));
          }
        });
        if (note) {
          note.hidden = false;
        }
      })
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(root.getAttribute("data-hub-live"));
  source.addEventListener("reach", function (ev) {
    var r;
    try {
      r = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    document.querySelectorAll("[data-alert]").forEach(function (row) {
      if (row.getAttribute("data-alert") !== r.id) {
        return;
      }
      row.querySelectorAll("[data-count]").forEach(function (el) {
        var key = el.getAttribute("data-count");
        if (key in r && el.textContent.trim() !== String(r[key])) {
          el.textContent = String(r[key]);
        }
      });
    });
    if (reloadOn && r.id === reloadOn && (r.last !== last || r.shared !== shared)) {
      last = r.last;
      shared = r.shared;
      refresh();
    }
    root.setAttribute("data-live-state", "live");
  });
  source.addEventListener("error", function () {
    root.setAttribute("data-live-state", source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  });
  // Close before the page goes away, so the server frees the stream.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
