/* Leaflet set-up for every map on our pages: Leaflet from static/vendor, the base map's tiles if
   configured, and the attributions of all data shown, without Leaflet's prefix. The settings come
   from the page's data-map-settings (maps/base_map.py page_map_settings). */
(function () {
  "use strict";

  // settings: {tile_url, tile_attribution, data_attributions}; options: L.map's.
  function createMap(element, settings, options) {
    var map = L.map(element, options);
    map.attributionControl.setPrefix(false);
    settings.data_attributions.forEach(function (text) { map.attributionControl.addAttribution(text); });
    if (settings.tile_url) {
      // Without reachable tiles the page still works: the boundaries are vector layers.
      L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution, maxZoom: 18 }).addTo(map);
    }
    return map;
  }

  function settingsOf(element) {
    return JSON.parse(element.dataset.mapSettings);
  }

  // The map of a resident page (county, municipality): fitted to the element's data-bounds.
  function areaMap(element) {
    var bounds = JSON.parse(element.dataset.bounds); // [west, south, east, north]
    var map = createMap(element, settingsOf(element), { zoomSnap: 0.25, tap: true });
    map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], { padding: [8, 8] });
    window.glaswaende = window.glaswaende || {};
    window.glaswaende.map = map;
    return map;
  }

  function fetchJSON(url, accept) {
    return fetch(url, { headers: { Accept: accept || "application/geo+json, application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  var Glaswaende = window.Glaswaende = window.Glaswaende || {};
  Glaswaende.mapSetup = { createMap: createMap, settingsOf: settingsOf, areaMap: areaMap, fetchJSON: fetchJSON };
})();
