/* Proof pages only: a small map per flagged visit or learnt location, drawn when opened —
   the house, where the visit was recorded with its accuracy circle, and the line between.
   Labels go in as text (never HTML). */
(function () {
  "use strict";
  function pair(text) {
    var p = (text || "").split(",").map(Number);
    return p.length === 2 && isFinite(p[0]) && isFinite(p[1]) ? p : null;
  }
  function draw(box) {
    if (box.dataset.drawn || !window.L) return;
    box.dataset.drawn = "1";
    var house = pair(box.dataset.house), fix = pair(box.dataset.fix), acc = Number(box.dataset.acc) || 0;
    var labels = JSON.parse(box.dataset.labels || "{}");
    if (!house && !fix) return;
    var map = L.map(box, { zoomSnap: 0.5, attributionControl: !!box.dataset.tiles });
    map.setView(house || fix, 17);  // before the layers: a circle in metres needs a view to project
    if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map);
    var shown = [];
    if (house) {
      shown.push(L.circleMarker(house, { radius: 9, color: "#0d3b66", fillOpacity: 0.9 }).addTo(map)
        .bindTooltip(document.createTextNode(labels.house || ""), { permanent: true, direction: "top" }));
    }
    if (fix) {
      shown.push(L.circle(fix, { radius: Math.max(acc, 3), color: "#b00020", weight: 1, fillOpacity: 0.15 }).addTo(map));
      shown.push(L.circleMarker(fix, { radius: 6, color: "#b00020", fillOpacity: 1 }).addTo(map)
        .bindTooltip(document.createTextNode(labels.fix || ""), { permanent: true, direction: "bottom" }));
    }
    if (house && fix) L.polyline([house, fix], { color: "#b00020", dashArray: "4 6" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    map.fitBounds(L.featureGroup(shown).getBounds().pad(0.3), { maxZoom: 18 });
  }
  document.addEventListener("toggle", function (e) {
    var box = e.target.matches && e.target.matches("details.minimap") && e.target.open && e.target.querySelector(".mini-map");
    if (box) draw(box);
  }, true);
})();
