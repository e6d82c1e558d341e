/* The officer's village map: the village's households from the offline pack (so it works with
   no signal), coloured by status, unsent visits ringed, the officer's own position. Each house is
   a page element (a 44 px target, as a person and a test see it); a tap on a
   house opens its row, drawn by the list's own renderer (TN.rowHtml), so "Đã cảnh báo" and
   "Vắng nhà" go through the list's quick-tap code (field.js) and outbox; a village outside the
   pack (a commander's) is read from the households export instead. Map pages only. */
(function () {
  "use strict";
  var TN = window.TN, box, map, layer, edge, labels, vid, list = null, markers = {}, pending = {}, drawn = false;
  var $ = function (id) { return document.getElementById(id); };

  function households() {
    var p = TN.pack(), v = p && p.villages.filter(function (x) { return String(x.id) === vid; })[0];
    if (v) return { name: v.code + " · " + v.name, boundary: v.boundary, list: v.households };
    return list;
  }
  function current(id) {
    var f = TN.findHousehold(id), d = households();
    return f ? f.h : d.list.filter(function (h) { return h.id === id; })[0];
  }
  // A house: a 44 px tap target (the marker's element) around a dot coloured by status, ringed
  // while a visit to it waits in the outbox; houses still to visit above the others.
  function todo(h) { return h.status === "not_visited" || h.status === "revisit"; }
  function icon(h) {
    return L.divIcon({ className: "house st-" + h.status + (pending[h.id] ? " pending" : ""), iconSize: [44, 44], html: "" });
  }
  function popup(h) {
    var div = document.createElement("div"), geo = h.lat + "," + h.lon;
    div.innerHTML = '<ul class="hh">' + TN.rowHtml(h, labels.may_record) + '</ul><a class="btn btn-block geo" href="geo:' + geo +
      "?q=" + geo + "(" + encodeURIComponent(h.head_name || h.code || "") + ')">' + TN.esc(labels.directions) + "</a>";
    return div;
  }

  function draw() {
    var d = households(), missing = 0, counts = { warned: 0, revisit: 0, not_visited: 0, excluded: 0 };
    if (!d) return;
    if (d.name) $("vmap-title").textContent = d.name;
    if (!drawn) frame(d);
    // Houses still to visit first in the page (and above the others on the map).
    d.list.slice().sort(function (a, b) { return todo(b) - todo(a); }).forEach(function (h) {
      counts[h.status] = (counts[h.status] || 0) + 1;
      if (h.lat == null || h.lon == null) { missing += 1; return; }
      var m = markers[h.id], key = h.status + (pending[h.id] ? "+" : "");
      if (!m) markers[h.id] = place(h, key);
      else if (m.key !== key) {
        m.key = key;
        m.setIcon(icon(h)).setZIndexOffset(todo(h) ? 1000 : 0);
        m.getElement().setAttribute("aria-label", h.head_name || h.code || "");
      }
    });
    legend(counts);
    $("vmap-note").textContent = missing ? missing + " " + labels.no_location : "";
    if (d.boundary && !edge) edge = L.geoJSON(d.boundary, { interactive: false, style: { color: "#0d3b66", weight: 2, fillOpacity: 0.04 } }).addTo(map);
    if (!drawn) shown();
  }
  // The view before the first house is placed (Leaflet draws a layer once the map has one).
  function frame(d) {
    var points = d.list.filter(function (h) { return h.lat != null && h.lon != null; }).map(function (h) { return [+h.lat, +h.lon]; });
    var bounds = points.length ? L.latLngBounds(points) : (d.boundary && L.geoJSON(d.boundary).getBounds());
    if (bounds && bounds.isValid()) map.fitBounds(bounds.pad(0.05), { maxZoom: 18, animate: false }); else map.setView([15.1, 108.8], 14);
  }
  function shown() {
    drawn = true;
    box.setAttribute("data-paint-ms", Math.round(performance.now()));  // since the navigation began
    box.setAttribute("data-draw-ms", Math.round(performance.now() - started));  // since this script began
    box.setAttribute("data-ready", "1");
  }
  function place(h, key) {
    var m = L.marker([+h.lat, +h.lon], { icon: icon(h), keyboard: true, zIndexOffset: todo(h) ? 1000 : 0 });
    m.key = key;
    m.bindPopup(function () { return popup(current(h.id)); }, { maxWidth: 320, autoPanPadding: [10, 60], offset: [0, -8] });
    m.addTo(layer).getElement().setAttribute("aria-label", h.head_name || h.code || "");
    return m;
  }
  function legend(counts) {
    var n = Object.keys(pending).length;
    Array.prototype.forEach.call(document.querySelectorAll("#vmap-legend [data-status]"), function (chip) {
      var s = chip.getAttribute("data-status");
      chip.querySelector("b").textContent = s === "pending" ? n : (counts[s] || 0);
      chip.hidden = s === "pending" ? !n : s === "excluded" && !counts[s];
    });
  }

  function refreshPending() {
    return TN.outbox.pending().then(function (entries) {
      pending = {};
      entries.forEach(function (e) { if (e.type === "visit") pending[e.data.household_id] = true; });
      draw();
    });
  }
  // Taps, undos and syncs change the pack and the outbox through these (field.js); the map follows.
  function follow(name, after) {
    var original = TN[name];
    TN[name] = function () {
      var result = original.apply(this, arguments);
      after(arguments[0]);
      return result;
    };
  }

  function fromExport() {
    return fetch("/exports/households.geojson?village=" + vid, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (fc) {
        list = { list: fc.features.map(function (f) {
          var p = f.properties, c = f.geometry && f.geometry.coordinates;
          return { id: p.household_id, code: p.code, head_name: p.head_name || "#" + p.code, address: p.address || "", youth: p.youth,
            status: p.status, visit_count: p.visit_count, lat: c ? c[1] : null, lon: c ? c[0] : null };
        }) };
      });
  }

  function me() {
    if (!navigator.geolocation) return;
    var dot, ring, button = $("vmap-me");
    navigator.geolocation.watchPosition(function (pos) {
      var at = [pos.coords.latitude, pos.coords.longitude];
      if (!dot) {
        ring = L.circle(at, { radius: pos.coords.accuracy, interactive: false, weight: 1, color: "#1a73e8", fillOpacity: 0.1 }).addTo(map);
        dot = L.circleMarker(at, { radius: 7, interactive: false, weight: 3, color: "#fff", fillColor: "#1a73e8", fillOpacity: 1 }).addTo(map);
        button.hidden = false;
        button.addEventListener("click", function () { map.setView(dot.getLatLng(), Math.max(map.getZoom(), 17)); });
      }
      dot.setLatLng(at); ring.setLatLng(at).setRadius(pos.coords.accuracy);
    }, function () {}, { enableHighAccuracy: true, maximumAge: 30000 });
  }

  function offlineSize() {
    if (!window.caches) return;
    caches.match("/tiles/offline-summary").then(function (r) { return r && r.json(); }).then(function (s) {
      if (!s || !s.bytes) return;
      var mb = (s.bytes / 1048576).toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 1 });
      var el = $("vmap-offline");
      el.textContent = labels.offline_size.replace("%(size)s", mb);
      el.hidden = false;
    }).catch(function () {});
  }

  var started = performance.now();
  function start() {
    box = $("vmap");
    if (!box || !window.L || !TN || !TN.outbox) return;
    labels = Object.assign(JSON.parse($("tn-labels").textContent), JSON.parse(box.getAttribute("data-labels")));
    TN.renderShell(labels);  // hands the labels to the row renderer; with no #offline-app it draws nothing
    vid = box.getAttribute("data-village-id") || (location.pathname.match(/^\/villages\/(\d+)\/map$/) || [])[1];
    if (!vid) {  // the offline shell's own address, opened as it is: no village to draw
      $("vmap-note").textContent = labels.not_in_pack;
      return;
    }
    $("vmap-list").href = "/villages/" + vid;
    // TN.villageMap: the Leaflet map, for tests and the bench to find a house on the screen.
    map = TN.villageMap = L.map(box, { zoomSnap: 0.5, closePopupOnClick: true });
    TN.baseLayer(map, box);
    layer = L.featureGroup().addTo(map);
    follow("savePack", function () { draw(); });  // a tap, an undo or a refresh changed a status
    follow("drawStatus", function (all) {  // the outbox changed: ring what waits in it
      pending = {};
      (all || []).forEach(function (e) { if (e.type === "visit" && e.state === "pending") pending[e.data.household_id] = true; });
      draw();
    });
    var synced = TN.onSyncEnd;
    TN.onSyncEnd = function (sent) { if (synced) synced(sent); refreshPending(); };
    new MutationObserver(function () { refreshPending(); }).observe(document.documentElement, { attributeFilter: ["data-pack-ready"] });
    TN.loadPack().then(function () {
      return households() ? null : fromExport().catch(function () {
        if (!TN.pack()) return;  // the pack is still on its way: data-pack-ready draws it
        $("vmap-note").textContent = labels.not_in_pack;
      });
    }).then(refreshPending).then(me).then(offlineSize);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
