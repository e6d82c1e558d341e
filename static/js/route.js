/* Route order page: drag households (SortableJS, touch too) or move them with ↑/↓; the form
   posts the hidden ids in the order they stand. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("route-list");
    if (!list) return;
    if (window.Sortable) Sortable.create(list, { handle: ".grip", animation: 150, ghostClass: "dragging" });
    list.addEventListener("click", function (e) {
      var b = e.target.closest("[data-move]");
      if (!b) return;
      var li = b.closest("li"), step = Number(b.getAttribute("data-move"));
      var other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!other) return;
      list.insertBefore(li, step < 0 ? other : other.nextElementSibling);
      b.focus();
    });
  });
})();
