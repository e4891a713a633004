// phancong's only script of its own (htmx does the rest): lists that change refresh on their own, unless the
// person is filling in a form inside them; the report's print button.
(function () {
  "use strict";
  var editing = new WeakSet();
  document.addEventListener("input", function (event) {
    var list = event.target.closest && event.target.closest("[data-refresh]");
    if (list) { editing.add(list); }
  });
  function refresh() {
    if (document.visibilityState !== "visible" || !window.htmx) { return; }
    document.querySelectorAll("[data-refresh]").forEach(function (list) {
      if (editing.has(list) || list.contains(document.activeElement)) { return; }
      if (list.querySelector("details[open]")) { return; }
      window.htmx.trigger(list, "refresh");
    });
  }
  window.setInterval(refresh, 60000);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".print-button")) { window.print(); }
  });
})();
