// The staff pages' keyboard shortcuts and the "insert into the reply" buttons of suggested
// articles. Loaded only for signed-in staff, with `defer`; every page works without it.
//   j / k        next / previous request of the queue (focuses its link)
//   Enter / o    open the chosen request (Enter on the focused link is the browser's own)
//   r            focus the reply field of a request's page
//   ?            show or hide the list of shortcuts (the <details id="shortcuts"> section)
// Never while typing in a field, nor with Ctrl, Alt or Meta held.
(function () {
  "use strict";

  var rows = Array.prototype.slice.call(document.querySelectorAll("table[data-queue] tr[data-row]"));
  var reply = document.getElementById("reply-body");
  var help = document.getElementById("shortcuts");
  var current = -1;

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function choose(index) {
    if (rows.length === 0) return;
    if (index < 0) index = 0;
    if (index >= rows.length) index = rows.length - 1;
    if (current >= 0) rows[current].classList.remove("current");
    current = index;
    rows[current].classList.add("current");
    var link = rows[current].querySelector("a[data-open]");
    if (link) link.focus();
  }

  // A row clicked or tabbed into becomes the current one, so that j/k go on from there.
  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () {
      if (current === index) return;
      if (current >= 0) rows[current].classList.remove("current");
      current = index;
      row.classList.add("current");
    });
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || typing(e.target)) return;
    if (e.key === "j" && rows.length) {
      choose(current + 1);
    } else if (e.key === "k" && rows.length) {
      choose(current - 1);
    } else if ((e.key === "o" || (e.key === "Enter" && e.target === document.body)) &&
               current >= 0) {
      var link = rows[current].querySelector("a[data-open]");
      if (link) window.location.assign(link.href);
    } else if (e.key === "r" && reply) {
      reply.focus();
    } else if (e.key === "?" && help) {
      help.open = !help.open;
      if (help.open) help.querySelector("summary").focus();
    } else {
      return;
    }
    e.preventDefault();
  });

  // Suggested articles: a link line appended to the reply, where the cursor is not lost.
  if (reply) {
    Array.prototype.forEach.call(document.querySelectorAll("button.insert-link"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var line = b.dataset.title + " : " + window.location.origin + b.dataset.url;
        var text = reply.value;
        reply.value = text + (text === "" || text.slice(-1) === "\n" ? "" : "\n") + line + "\n";
        reply.focus();
        reply.setSelectionRange(reply.value.length, reply.value.length);
      });
    });
  }
})();
