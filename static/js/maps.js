/* Shared map set-up: Leaflet from static/vendor, optional tiles, attributions always shown. */
(function () {
  "use strict";

  function createMap(element) {
    var settings = JSON.parse(element.dataset.mapSettings);
    var bounds = JSON.parse(element.dataset.bounds); // [west, south, east, north]
    var map = L.map(element, { zoomSnap: 0.25, tap: true });
    map.attributionControl.setPrefix(false);
    settings.data_attributions.forEach(function (text) { map.attributionControl.addAttribution(text); });
    if (settings.tile_url) {
      // Without reachable tiles the page still works: the boundaries are vector layers.
      L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution, maxZoom: 18 }).addTo(map);
    }
    map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], { padding: [8, 8] });
    window.glaswaende = window.glaswaende || {};
    window.glaswaende.map = map;
    return map;
  }

  function fetchJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  window.GlaswaendeMaps = { createMap: createMap, fetchJSON: fetchJSON };
})();
