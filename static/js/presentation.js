/* The projected workshop map: stored layers (thresholded by the server), live workshop pins by
   polling, hotspots stepped through with the arrow keys, layers on number keys, F freezes. */
(function () {
  "use strict";
  var element = document.getElementById("map");
  var messages = Glaswaende.messages.read(element);
  var MESSAGES = messages.all, t = messages.t;
  // Palettes and hexagon drawing, as Python draws them (mapserver/map_style.py).
  var STYLE = JSON.parse(element.dataset.mapStyle);
  var CATEGORY = MESSAGES.categories;
  var DIMENSION = MESSAGES.dimensions;
  var SEQUENTIAL = STYLE.sequential;
  var HEXAGONS = STYLE.hexagons;
  var LIVE_INTERVAL_MS = 2000;
  var hexagon = Glaswaende.hexagons.corners;

  // On the projector nobody presses a button: the attributions stay in view (not folded).
  var map = Glaswaende.mapSetup.createMap(element, Glaswaende.mapSetup.settingsOf(element),
                                          { zoomSnap: 0.25, keyboard: false, zoomControl: false }, false);

  var state = { hotspots: [], index: -1, frozen: false, pendingLive: null, appliedLive: null, layers: {} };
  window.glaswaende = { map: map, state: state };

  function colourFor(value, max) {
    var index = Math.min(SEQUENTIAL.length - 1, Math.floor((value / (max || 1)) * SEQUENTIAL.length));
    return SEQUENTIAL[index];
  }

  function label(text, className) {
    return L.divIcon({ html: '<span class="' + className + '"></span>', className: className + "-icon", iconSize: [0, 0] });
  }

  function build(data) {
    var b = data.bounds;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [30, 30] });
    L.geoJSON(data.outlines, { style: { color: "#000", weight: 4, fill: false, dashArray: null }, interactive: false }).addTo(map);
    data.outlines.features.forEach(function (f) {
      var at = f.properties.label_point;
      var marker = L.marker([at[1], at[0]], { icon: label("", "district-name"), interactive: false, keyboard: false }).addTo(map);
      marker.getElement().firstChild.textContent = f.properties.name;
      marker.districtId = f.properties.id;
      marker.districtName = f.properties.name;
      (state.districtLabels = state.districtLabels || []).push(marker);
    });
    var size = data.cell_size_m || 250;
    // A hotspot's cell with too few pins to show has pins null: in the hotspot layer, not in the counts.
    var counted = data.cells.filter(function (c) { return c.pins !== null; });
    var max = Math.max.apply(null, counted.map(function (c) { return c.pins; }).concat([1]));
    var colours = STYLE.hotspot_colours;

    state.layers.heat = L.heatLayer(counted.map(function (c) { return [c.lat, c.lon, c.pins]; }),
                                    { radius: 30, blur: 22, max: max, gradient: STYLE.heat_gradient });
    state.layers.grid = L.layerGroup(counted.map(function (c) {
      return L.polygon(hexagon(c.lat, c.lon, size), { fillColor: colourFor(c.pins, max), fillOpacity: HEXAGONS.grid_opacity,
                                                      color: HEXAGONS.grid_border.color, weight: HEXAGONS.grid_border.weight });
    }));
    state.layers.hotspots = L.layerGroup(data.cells.filter(function (c) { return c["class"]; }).map(function (c) {
      // Not by colour alone: hotspots have a solid border, coldspots a dashed one.
      var border = HEXAGONS.borders[c["class"].indexOf("cold") === 0 ? "cold" : "hot"];
      return L.polygon(hexagon(c.lat, c.lon, size), { fillColor: colours[c["class"]], fillOpacity: HEXAGONS.hotspot_opacity,
                                                      color: border.color, weight: border.weight,
                                                      dashArray: border.dashArray || null });
    }));
    var eps = data.run ? data.run.dbscan_eps_m : 150;
    state.layers.clusters = L.layerGroup(data.clusters.map(function (c) {
      return L.circle([c.lat, c.lon], { radius: eps * 1.5, color: "#000", weight: 5, fill: false, dashArray: "10 8" });
    }));
    state.layers.hotspots.addTo(map);
    state.layers.live = L.layerGroup().addTo(map);

    document.getElementById("disclosure-note").textContent = data.disclosure_note || "";
    var legend = document.getElementById("legend");
    data.legend.forEach(function (entry) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = entry.colour;
      if (entry.key.indexOf("cold") === 0) { swatch.style.borderStyle = "dashed"; }
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(entry.label));
      legend.appendChild(item);
    });

    state.hotspots = data.hotspots;
    state.hotspotMarkers = data.hotspots.map(function (h) {
      var marker = L.marker([h.centre[1], h.centre[0]], { icon: label("", "hotspot-number"), interactive: false, keyboard: false }).addTo(map);
      marker.getElement().firstChild.textContent = h.number;
      return marker;
    });
    var none = document.getElementById("no-hotspots");
    if (!data.run) {
      none.textContent = MESSAGES.no_run;
      none.hidden = false;
    } else if (!data.hotspots.length) {
      none.textContent = data.clusters.length ? MESSAGES.no_hotspots_but_clusters : MESSAGES.no_hotspots;
      none.hidden = false;
    }
  }

  function showHotspot(index) {
    if (!state.hotspots.length) { return; }
    state.index = (index + state.hotspots.length) % state.hotspots.length;
    var h = state.hotspots[state.index];
    map.flyToBounds([[h.bounds[1], h.bounds[0]], [h.bounds[3], h.bounds[2]]], { maxZoom: 15, padding: [60, 60], duration: 0.8 });
    state.hotspotMarkers.forEach(function (m, i) { m.getElement().firstChild.classList.toggle("active", i === state.index); });
    document.getElementById("hotspot").hidden = false;
    document.getElementById("hotspot-title").textContent =
      t("hotspot_title", { number: h.number, total: state.hotspots.length }) + (h.districts.length ? ": " + h.districts.join(", ") : "");
    document.getElementById("hotspot-counts").textContent = t("hotspot_counts", { pins: h.pins, expected: h.expected, confidence: h.confidence });
    var details = document.getElementById("hotspot-details");
    details.textContent = "";
    function add(list, text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); }
    Object.keys(h.by_category).forEach(function (code) {
      var n = h.by_category[code];
      if (n) { add(details, t("category_count", { category: CATEGORY[code], count: n })); }
    });
    Object.keys(h.by_dimension).forEach(function (code) {
      var n = h.by_dimension[code];
      if (n) { add(details, t("separates", { dimension: DIMENSION[code], count: n })); }
    });
    var comments = document.getElementById("hotspot-comments");
    comments.textContent = "";
    h.comments.forEach(function (c) { add(comments, "„" + c.text + "“"); });
  }

  function applyLive(live) {
    state.appliedLive = live;
    document.getElementById("workshop-pins").textContent =
      live.workshop_pins === null ? t("fewer_than", { k: live.privacy_k }) : String(live.workshop_pins);
    state.layers.live.clearLayers();
    live.cells.forEach(function (c) {
      L.polygon(hexagon(c.lat, c.lon, live.cell_size_m), { color: HEXAGONS.live_border.color, weight: HEXAGONS.live_border.weight,
                                                          fill: false }).addTo(state.layers.live);
    });
    (state.districtLabels || []).forEach(function (marker) {
      var n = live.districts[marker.districtId];
      marker.getElement().firstChild.textContent = marker.districtName + (n ? " · " + t("new_pins", { count: n }) : "");
    });
  }

  function poll() {
    fetch(element.dataset.liveUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (live) {
        if (!live) { return; }
        state.pendingLive = live;
        if (!state.frozen) { applyLive(live); }
      })
      .catch(function () { /* weak village-hall wifi: try again at the next tick */ })
      .then(function () { setTimeout(poll, LIVE_INTERVAL_MS); });
  }

  function toggle(name) {
    var layer = state.layers[name];
    if (!layer) { return; }
    if (map.hasLayer(layer)) { map.removeLayer(layer); } else { layer.addTo(map); }
  }

  function setFrozen(frozen) {
    state.frozen = frozen;
    document.getElementById("frozen-badge").hidden = !frozen;
    if (!frozen && state.pendingLive) { applyLive(state.pendingLive); }
  }

  document.addEventListener("keydown", function (event) {
    var qr = document.getElementById("qr-overlay");
    switch (event.key) {
      case "ArrowRight": case "PageDown": showHotspot(state.index + 1); break;
      case "ArrowLeft": case "PageUp": showHotspot(state.index - 1); break;
      case "1": toggle("heat"); break;
      case "2": toggle("grid"); break;
      case "3": toggle("hotspots"); break;
      case "4": toggle("clusters"); break;
      case "f": case "F": setFrozen(!state.frozen); break;
      case "q": case "Q": qr.hidden = !qr.hidden; break;
      case "v": case "V":
        if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
        break;
      case "Escape": qr.hidden = true; break;
      default: return;
    }
    event.preventDefault();
  });

  fetch(element.dataset.dataUrl, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) { build(data); poll(); });
})();
