// Guichet's small enhancements; every page works without them. Loaded with `defer`, from this
// origin only (the pages' Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // The request form: htmx fetches suggested articles while the citizen writes (the server
  // records them as shown); this reports what became of them: clicked, or abandoned (the page
  // left without sending after seeing some). Sending is recorded by the server.
  var form = document.querySelector("form.request-form");
  var box = document.getElementById("suggestions");
  var session = document.getElementById("deflection-session");
  if (!form || !box || !session || !navigator.sendBeacon) return;
  var shown = 0;
  var submitted = false;

  function send(kind, extra) {
    var event = { kind: kind, session: session.value };
    for (var key in extra) event[key] = extra[key];
    navigator.sendBeacon("/api/v1/kb/deflection-events",
                         new Blob([JSON.stringify(event)], { type: "application/json" }));
  }

  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target === box) shown = box.querySelectorAll("a[data-article]").length;
  });
  box.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[data-article]") : null;
    if (link) send("clicked", { article_id: parseInt(link.dataset.article, 10) });
  });
  form.addEventListener("submit", function () { submitted = true; });
  window.addEventListener("pagehide", function () {
    if (shown > 0 && !submitted) send("abandoned", { suggestions: shown });
  });
})();
