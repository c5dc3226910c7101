/* Leaflet set-up for every map on our pages: Leaflet from static/vendor, the base map's tiles if
   configured, and the attributions of all data shown, without Leaflet's prefix. The settings come
   from the page's data-map-settings (maps/base_map.py page_map_settings). */
(function () {
  "use strict";

  // settings: {tile_url, tile_attribution, data_attributions, attribution_label}; options: L.map's;
  // folded (default true): the attributions behind an "ⓘ" button (not on non-interactive thumbnails,
  // whose container must hold no control).
  function createMap(element, settings, options, folded) {
    var map = L.map(element, options);
    map.attributionControl.setPrefix(false);
    settings.data_attributions.forEach(function (text) { map.attributionControl.addAttribution(text); });
    if (settings.tile_url) {
      // Without reachable tiles the page still works: the boundaries are vector layers.
      L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution, maxZoom: 18 }).addTo(map);
    }
    if (folded !== false) { collapsibleAttribution(map, element, settings.attribution_label); }
    return map;
  }

  // The attributions fold behind a small "ⓘ" button (on a phone they covered the map's lower
  // edge): a disclosure button with aria-expanded, the list shown below it when open.
  function collapsibleAttribution(map, element, label) {
    var attribution = map.attributionControl.getContainer();
    attribution.id = (element.id || "map") + "-attribution";
    var toggle = L.control({ position: "bottomright" });
    toggle.onAdd = function () {
      var button = L.DomUtil.create("button", "attribution-toggle");
      button.type = "button";
      button.textContent = "i";  // a plain letter: "ⓘ" is missing from many phones' fonts
      // The visible "i" is part of the name (WCAG 2.5.3): "click i" works for voice control too.
      button.setAttribute("aria-label", (label || "Quellen der Karte") + " (i)");
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", attribution.id);
      L.DomEvent.disableClickPropagation(button);
      element.classList.add("attribution-foldable");
      L.DomEvent.on(button, "click", function () {
        var open = element.classList.toggle("attribution-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
      return button;
    };
    toggle.addTo(map);
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

  // Names on the map that would cover each other: the larger area keeps its name, the smaller one's
  // is hidden until zooming in makes room (its name stays in the page's list of districts).
  // labels: [{tooltip: L.Tooltip, priority: number}], higher priority first.
  function declutterLabels(map, labels) {
    function overlaps(a, b) {
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    function arrange() {
      var shown = [];
      labels.slice().sort(function (a, b) { return b.priority - a.priority; }).forEach(function (label) {
        var el = label.tooltip.getElement();
        if (!el) { return; }
        el.classList.remove("label-hidden");
        var box = el.getBoundingClientRect();
        var covered = shown.some(function (other) { return overlaps(box, other); });
        if (covered) { el.classList.add("label-hidden"); } else { shown.push(box); }
      });
    }
    map.on("zoomend moveend", function () { window.requestAnimationFrame(arrange); });
    arrange();
  }

  var Glaswaende = window.Glaswaende = window.Glaswaende || {};
  Glaswaende.mapSetup = { createMap: createMap, settingsOf: settingsOf, areaMap: areaMap, fetchJSON: fetchJSON,
                          declutterLabels: declutterLabels };
})();
