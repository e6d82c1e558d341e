/* Từng Nhà page helpers: GPS for visits and new households, busy buttons. */
(function () {
  "use strict";
  var fix = null;
  function remember(pos) {
    fix = { lat: pos.coords.latitude, lon: pos.coords.longitude, acc: Math.round(pos.coords.accuracy), at: Date.now() };
    document.querySelectorAll("[data-gps-lat]").forEach(function (el) { el.value = fix.lat; });
    document.querySelectorAll("[data-gps-lon]").forEach(function (el) { el.value = fix.lon; });
    document.querySelectorAll("[data-gps-acc]").forEach(function (el) { el.value = fix.acc; });
    document.dispatchEvent(new CustomEvent("tn:fix"));
  }
  function freshFix() { return fix && Date.now() - fix.at < 120000 ? fix : null; }
  window.tungNhaFix = freshFix;
  document.addEventListener("DOMContentLoaded", function () {
    // The login page after this account was signed out of every device: forget the offline data.
    if (document.body.hasAttribute("data-wipe") && window.TN && TN.outbox) TN.outbox.wipe();
    if (document.body.hasAttribute("data-gps") && navigator.geolocation) {
      navigator.geolocation.watchPosition(remember, function () {}, { enableHighAccuracy: true, maximumAge: 60000 });
    }
  });
  // A one-tap visit carries the latest GPS fix when the phone has one.
  document.addEventListener("htmx:configRequest", function (e) {
    var f = freshFix();
    if (f && e.detail.path.indexOf("/quick") > -1) {
      e.detail.parameters.lat = f.lat; e.detail.parameters.lon = f.lon; e.detail.parameters.accuracy_m = f.acc;
    }
  });
})();
/* "Print" buttons (walk list, report): no inline handlers, the Content-Security-Policy forbids them. */
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) window.print();
});
/* A failed htmx request says why (the server's message), instead of doing nothing. */
document.addEventListener("htmx:responseError", function (e) {
  var doc = new DOMParser().parseFromString(e.detail.xhr.responseText || "", "text/html");
  var h1 = doc.querySelector("h1");
  var p = document.createElement("p");
  p.className = "flash flash-error";
  p.setAttribute("role", "alert");
  p.textContent = h1 ? h1.textContent : (document.body.dataset.msgError || "Error") + " " + e.detail.xhr.status;
  var main = document.querySelector("main");
  main.insertBefore(p, main.firstChild);
  setTimeout(function () { p.remove(); }, 8000);
});
