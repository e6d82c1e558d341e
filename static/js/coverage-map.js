/* Coverage map (map pages only): villages shaded by coverage, households coloured by status,
   a status filter. Data comes from the GeoJSON exports; tiles only when MAP_TILE_URL is set. */
(function () {
  "use strict";
  var TN = window.TN;
  var COLORS = { warned: "#0a7a3d", revisit: "#e0a100", not_visited: "#b00020", excluded: "#777" };

  function coverageColor(c) {
    if (c === null || c === undefined) { return "#999"; }
    return c >= 0.8 ? "#0a7a3d" : c >= 0.5 ? "#7cb342" : c >= 0.25 ? "#e0a100" : "#b00020";
  }

  function text(tag, value) {
    var el = document.createElement(tag);
    el.textContent = value;
    return el;
  }

  function start(box) {
    var labels = JSON.parse(box.dataset.labels), statusLabels = JSON.parse(box.dataset.statusLabels);
    var note = document.getElementById("map-note");
    var map = L.map(box, { preferCanvas: true, zoomSnap: 0.5 });
    TN.baseLayer(map, box);
    map.setView([15.1, 108.8], 13);
    // One popup for the whole map: a tap shows one thing, whatever lies under it.
    var one = L.popup({ maxWidth: 300 });
    function show(e, content) {
      L.DomEvent.stop(e);
      one.setLatLng(e.latlng).setContent(content).openOn(map);
    }
    var layers = {};
    Object.keys(COLORS).forEach(function (s) { layers[s] = L.layerGroup().addTo(map); });

    function popup(p) {
      var div = document.createElement("div");
      div.appendChild(text("b", p.head_name || ("#" + p.code)));
      div.appendChild(document.createElement("br"));
      div.appendChild(text("span", (statusLabels[p.status] || p.status) + " · " + p.visit_count + " " + labels.visits));
      if (p.address) { div.appendChild(document.createElement("br")); div.appendChild(text("small", p.address)); }
      var link = text("a", "→");
      link.href = "/households/" + p.household_id;
      div.appendChild(document.createTextNode(" "));
      div.appendChild(link);
      return div;
    }

    function drawVillages(data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#0d3b66", weight: 2, fillColor: coverageColor(f.properties.coverage), fillOpacity: 0.18 };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 14, color: "#0d3b66", fillColor: coverageColor(f.properties.coverage), fillOpacity: 0.5 });
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          var pct = p.coverage === null ? "–" : Math.round(p.coverage * 100) + "%";
          var label = document.createElement("span");
          label.appendChild(text("span", p.village_code));
          label.appendChild(text("span", " · " + pct)).className = "pct";
          l.bindTooltip(label, { permanent: true, direction: "center", className: "vlabel" });
          // A node, never a string: Leaflet puts a string popup in as HTML (names are typed by people).
          l.on("click", function (e) {
            show(e, text("span", p.village_code + " " + p.name + ": " + pct + " " + labels.coverage + " (" + p.warned + "/" + (p.households - p.excluded) + ")"));
          });
        }
      }).addTo(map);
      layer.bringToBack();
      // Zoomed out, labels show only the village code, so they do not pile up.
      map.on("zoomend", function () { box.classList.toggle("far", map.getZoom() < 15); });
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
      box.classList.toggle("far", map.getZoom() < 15);
    }

    var missing = 0;
    function showCount() {
      var shown = 0;
      Object.keys(layers).forEach(function (s) { if (map.hasLayer(layers[s])) { shown += layers[s].getLayers().length; } });
      note.dataset.shown = shown;
      var fmt = function (n) { return n.toLocaleString(document.documentElement.lang || "vi"); };
      note.textContent = fmt(shown) + " " + labels.shown + (missing ? " · " + fmt(missing) + " " + labels.nolocation : "");
    }

    function drawHouseholds(data) {
      data.features.forEach(function (f) {
        if (!f.geometry) { missing += 1; return; }
        var p = f.properties, c = f.geometry.coordinates;
        var m = L.circleMarker([c[1], c[0]], { radius: 5, weight: 1, color: "#fff", fillColor: COLORS[p.status], fillOpacity: 0.95 });
        m.on("click", function (e) { show(e, popup(p)); });
        m.addTo(layers[p.status]);
      });
      showCount();
    }

    function get(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    }
    Promise.all([get(box.dataset.villages), get(box.dataset.households)])
      .then(function (res) { drawVillages(res[0]); drawHouseholds(res[1]); box.dataset.ready = "1"; })
      .catch(function () { note.textContent = labels.failed; });

    document.querySelectorAll(".map-filter input[name=status]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.checked) { map.addLayer(layers[input.value]); } else { map.removeLayer(layers[input.value]); }
        showCount();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("map");
    if (box && window.L) { start(box); }
  });
})();
