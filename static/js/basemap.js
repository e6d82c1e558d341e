/* The base layer every map shares: the province's tiles (MBTiles served at /tiles/) or an
   online tile server, zoom limits from the file, and an attribution whose prefix is a plain
   link (no flag). Map pages only; needs Leaflet. */
(function () {
  "use strict";
  var TN = window.TN = window.TN || {};
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  // Adds the base layer described by the box's data-base-map (JSON) to the map; returns it.
  TN.baseLayer = function (map, box) {
    var cfg = JSON.parse(box.getAttribute("data-base-map") || "{}");
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>');
    if (!cfg.url) return null;
    var opts = { maxZoom: 20, minZoom: cfg.minzoom || 0, maxNativeZoom: cfg.maxzoom || 19, attribution: esc(cfg.attribution) };
    if (cfg.bounds) opts.bounds = [[cfg.bounds[1], cfg.bounds[0]], [cfg.bounds[3], cfg.bounds[2]]];
    return L.tileLayer(cfg.url, opts).addTo(map);
  };
})();
