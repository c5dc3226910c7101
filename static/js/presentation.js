/* The projected workshop map: stored layers (thresholded by the server), live workshop pins by
   polling, hotspots stepped through with the arrow keys, layers on number keys, F freezes.
   With no significant hotspot the room still sees what is there: the densest districts and
   the dense clusters, labelled as density, not as findings. The legend lists only what is on
   the map. Each phone pin that arrives is counted at once and pulses its district (never its
   place; services/workshops.live_arrivals says when a district is named). */
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
  var LIVE_INTERVAL_MS = 1500;
  var PULSE_MS = 4000;
  var CLUSTER_COLOUR = "#6a3d9a";
  var DENSE_COLOUR = "#e66100";
  var hexagon = Glaswaende.hexagons.corners;

  // Attributions folded behind the "i" button, as on the residents' maps: they do not cover the map.
  var map = Glaswaende.mapSetup.createMap(element, Glaswaende.mapSetup.settingsOf(element),
                                          { zoomSnap: 0.25, keyboard: false, zoomControl: false });

  var state = { hotspots: [], index: -1, frozen: false, pendingLive: null, appliedLive: null, layers: {},
                arrived: null, data: null, districtLayers: {}, outlineLayer: null };
  window.glaswaende = { map: map, state: state };

  function colourFor(value, max) {
    var index = Math.min(SEQUENTIAL.length - 1, Math.floor((value / (max || 1)) * SEQUENTIAL.length));
    return SEQUENTIAL[index];
  }

  function label(className) {
    return L.divIcon({ html: '<span class="' + className + '"></span>', className: className + "-icon", iconSize: [0, 0] });
  }

  function textMarker(lat, lon, className, text) {
    var marker = L.marker([lat, lon], { icon: label(className), interactive: false, keyboard: false });
    marker.on("add", function () { marker.getElement().firstChild.textContent = text; });
    return marker;
  }

  // The map's free area: below the title bar, with a margin; the attribution button sits in a corner.
  function fitPadding() {
    var title = document.querySelector(".presentation-title");
    var top = title ? title.getBoundingClientRect().bottom : 0;
    return { paddingTopLeft: [40, top + 30], paddingBottomRight: [40, 60] };
  }

  function fitArea(bounds) {
    var b = bounds;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], fitPadding());
  }

  function build(data) {
    state.data = data;
    fitArea(data.bounds);
    state.outlineLayer = L.geoJSON(data.outlines, {
      style: { color: "#000", weight: 4, fill: true, fillOpacity: 0, dashArray: null }, interactive: false,
      onEachFeature: function (f, layer) { state.districtLayers[String(f.properties.id)] = layer; }
    }).addTo(map);
    data.outlines.features.forEach(function (f) {
      var at = f.properties.label_point;
      var marker = textMarker(at[1], at[0], "district-name", f.properties.name).addTo(map);
      marker.districtId = f.properties.id;
      marker.districtName = f.properties.name;
      (state.districtLabels = state.districtLabels || []).push(marker);
    });
    var size = data.cell_size_m || 250;
    // A hotspot's cell with too few pins to show has pins null: in the hotspot layer, not in the counts.
    var counted = data.cells.filter(function (c) { return c.pins !== null; });
    var max = Math.max.apply(null, counted.map(function (c) { return c.pins; }).concat([1]));
    var colours = STYLE.hotspot_colours;
    state.gridMax = max;

    // For a projector 8 m away: wide, opaque heat and grid cells with strong borders.
    state.layers.heat = L.heatLayer(counted.map(function (c) { return [c.lat, c.lon, c.pins]; }),
                                    { radius: 55, blur: 35, minOpacity: 0.45, max: max, gradient: STYLE.heat_gradient });
    state.layers.grid = L.layerGroup(counted.map(function (c) {
      return L.polygon(hexagon(c.lat, c.lon, size), { fillColor: colourFor(c.pins, max), fillOpacity: 0.85,
                                                      color: "#222", weight: 2 });
    }));
    var hotCells = data.cells.filter(function (c) { return c["class"]; });
    state.hotspotClasses = {};
    hotCells.forEach(function (c) { state.hotspotClasses[c["class"]] = true; });
    state.layers.hotspots = L.layerGroup(hotCells.map(function (c) {
      // Not by colour alone: hotspots have a solid border, coldspots a dashed one.
      var border = HEXAGONS.borders[c["class"].indexOf("cold") === 0 ? "cold" : "hot"];
      return L.polygon(hexagon(c.lat, c.lon, size), { fillColor: colours[c["class"]], fillOpacity: HEXAGONS.hotspot_opacity,
                                                      color: border.color, weight: border.weight,
                                                      dashArray: border.dashArray || null });
    }));
    var eps = data.run ? data.run.dbscan_eps_m : 150;
    state.layers.clusters = L.layerGroup();
    data.clusters.forEach(function (c) {
      L.circle([c.lat, c.lon], { radius: Math.max(eps * 1.5, 250), color: CLUSTER_COLOUR, weight: 7, fillColor: CLUSTER_COLOUR,
                                 fillOpacity: 0.18, dashArray: null }).addTo(state.layers.clusters);
      textMarker(c.lat, c.lon, "cluster-label", c.in_hotspot ? MESSAGES.cluster_in_hotspot : MESSAGES.cluster_no_hotspot)
        .addTo(state.layers.clusters);
    });
    state.layers.dense = L.layerGroup();
    data.dense_districts.forEach(function (d) {
      var outline = state.districtLayers[String(d.id)];
      if (!outline) { return; }
      L.geoJSON(outline.feature, { style: { color: DENSE_COLOUR, weight: 9, fillColor: DENSE_COLOUR, fillOpacity: 0.22 },
                                   interactive: false }).addTo(state.layers.dense);
      var at = outline.feature.properties.label_point;
      var text = d.rank === 1 ? MESSAGES.densest_district : t("dense_district_rank", { rank: d.rank });
      var badge = textMarker(at[1], at[0], "dense-label", text);
      badge.setZIndexOffset(-100);
      badge.addTo(state.layers.dense);
    });
    state.layers.live = L.layerGroup().addTo(map);
    state.layers.pulses = L.layerGroup().addTo(map);

    // What is shown at first: hotspots where there are any; otherwise what is there.
    if (data.hotspots.length) {
      state.layers.hotspots.addTo(map);
    } else {
      if (hotCells.length) { state.layers.hotspots.addTo(map); }
      state.layers.dense.addTo(map);
      state.layers.clusters.addTo(map);
    }

    document.getElementById("disclosure-note").textContent = data.disclosure_note || "";

    state.hotspots = data.hotspots;
    state.hotspotMarkers = data.hotspots.map(function (h) {
      return textMarker(h.centre[1], h.centre[0], "hotspot-number", String(h.number)).addTo(map);
    });
    var none = document.getElementById("no-hotspots");
    if (!data.run) {
      none.textContent = MESSAGES.no_run;
      none.hidden = false;
    } else if (!data.hotspots.length) {
      none.textContent = MESSAGES.no_hotspots_what_is_there;
      none.hidden = false;
    }
    // The densest districts are what the room discusses when nothing is significant; beside a
    // hotspot, "densest, not a hotspot" would contradict the card.
    renderDense(data.hotspots.length ? [] : data.dense_districts);
    renderLegend();
  }

  function renderDense(districts) {
    var section = document.getElementById("dense");
    var list = document.getElementById("dense-list");
    list.textContent = "";
    districts.forEach(function (d) {
      var li = document.createElement("li");
      li.textContent = t("dense_district_item", { rank: d.rank, name: d.name, pins: d.pins,
                                                  density: d.pins_per_km2 === null ? "–" : String(d.pins_per_km2).replace(".", ",") });
      list.appendChild(li);
    });
    section.hidden = !districts.length;
  }

  // The legend: an entry for each layer that is on the map and has something in it.
  function renderLegend() {
    var legend = document.getElementById("legend");
    legend.textContent = "";
    function entry(key, text, swatchStyle) {
      var item = document.createElement("li");
      item.dataset.key = key;
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      Object.keys(swatchStyle).forEach(function (name) { swatch.style[name] = swatchStyle[name]; });
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(text));
      legend.appendChild(item);
    }
    var data = state.data;
    if (!data) { return; }
    var gradient = "linear-gradient(90deg, " + SEQUENTIAL.join(", ") + ")";
    if (map.hasLayer(state.layers.hotspots)) {
      data.legend.forEach(function (e) {
        if (state.hotspotClasses[e.key]) {
          entry(e.key, e.label, { background: e.colour, borderStyle: e.key.indexOf("cold") === 0 ? "dashed" : "solid" });
        }
      });
    }
    if (map.hasLayer(state.layers.dense) && data.dense_districts.length) {
      entry("dense", MESSAGES.legend_dense, { background: "#f6c9a8", borderColor: DENSE_COLOUR });
    }
    if (map.hasLayer(state.layers.clusters) && data.clusters.length) {
      entry("clusters", t("legend_clusters", { k: data.privacy_k }), { background: "#d9cce6",
                                                                      borderColor: CLUSTER_COLOUR, borderRadius: "50%" });
    }
    if (map.hasLayer(state.layers.heat) && data.cells.length) {
      entry("heat", MESSAGES.legend_heat, { background: gradient });
    }
    if (map.hasLayer(state.layers.grid) && data.cells.length) {
      entry("grid", t("legend_grid", { k: data.privacy_k }), { background: gradient });
    }
    if (state.layers.live.getLayers().length) {
      entry("live", t("legend_live", { k: data.privacy_k }), { background: "transparent", borderColor: HEXAGONS.live_border.color });
    }
    if (state.layers.pulses.getLayers().length) {
      entry("pulse", MESSAGES.legend_pulse, { background: "#ffd966", borderRadius: "50%" });
    }
  }

  function showHotspot(index) {
    if (!state.hotspots.length) { return; }
    state.index = (index + state.hotspots.length) % state.hotspots.length;
    var h = state.hotspots[state.index];
    var pad = fitPadding();
    map.flyToBounds([[h.bounds[1], h.bounds[0]], [h.bounds[3], h.bounds[2]]],
                    { maxZoom: 15, paddingTopLeft: pad.paddingTopLeft, paddingBottomRight: pad.paddingBottomRight, duration: 0.8 });
    state.hotspotMarkers.forEach(function (m, i) { m.getElement().firstChild.classList.toggle("active", i === state.index); });
    document.getElementById("hotspot").hidden = false;
    document.getElementById("hotspot-title").textContent =
      t("hotspot_title", { number: h.number, total: state.hotspots.length }) + (h.districts.length ? ": " + h.districts.join(", ") : "");
    document.getElementById("hotspot-counts").textContent = t("hotspot_counts", { pins: h.pins, expected: h.expected, confidence: h.confidence });
    function add(list, text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); }
    function fill(id, counts, names, key) {
      var list = document.getElementById(id);
      list.textContent = "";
      Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; }).forEach(function (code) {
        if (counts[code]) { add(list, t(key, { category: names[code] || code, dimension: names[code] || code, count: counts[code] })); }
      });
      list.previousElementSibling.hidden = !list.children.length;
    }
    fill("hotspot-categories", h.by_category, CATEGORY, "category_count");
    fill("hotspot-dimensions", h.by_dimension, DIMENSION, "dimension_count");
    var comments = document.getElementById("hotspot-comments");
    comments.textContent = "";
    h.comments.forEach(function (c) { add(comments, "„" + c.text + "“"); });
  }

  // A pulse over a district (or, where it is not named, over the whole area): fades by itself.
  function pulse(districtId) {
    var layer = districtId === null ? state.outlineLayer : state.districtLayers[districtId];
    if (!layer) { return; }
    var shape = L.geoJSON(districtId === null ? state.data.outlines : layer.feature,
                          { style: { color: "#ffd966", weight: 10, fillColor: "#ffd966", fillOpacity: 0.45, className: "arrival-pulse" },
                            interactive: false }).addTo(state.layers.pulses);
    setTimeout(function () { state.layers.pulses.removeLayer(shape); renderLegend(); }, PULSE_MS);
  }

  function acknowledge(live) {
    var counter = document.getElementById("workshop-pins");
    counter.textContent = String(live.arrived);
    if (state.arrived !== null && live.arrived > state.arrived) {
      var fresh = live.recent.slice(0, Math.min(live.arrived - state.arrived, live.recent.length));
      var named = {};
      fresh.forEach(function (d) { named[d === null ? "" : d] = true; });
      Object.keys(named).forEach(function (d) { pulse(d === "" ? null : d); });
      var names = fresh.filter(function (d) { return d !== null; }).map(function (d) {
        var marker = (state.districtLabels || []).filter(function (m) { return String(m.districtId) === d; })[0];
        return marker ? marker.districtName : null;
      }).filter(function (n, i, all) { return n && all.indexOf(n) === i; });
      var note = document.getElementById("arrival");
      note.textContent = t(live.arrived - state.arrived === 1 ? "arrival_one" : "arrival_many", { count: live.arrived - state.arrived }) +
        (names.length ? " · " + names.join(", ") : "");
      note.hidden = false;
      counter.classList.remove("bump");
      void counter.offsetWidth;  // restart the animation
      counter.classList.add("bump");
    }
    state.arrived = live.arrived;
  }

  function applyLive(live) {
    state.appliedLive = live;
    acknowledge(live);
    state.layers.live.clearLayers();
    live.cells.forEach(function (c) {
      L.polygon(hexagon(c.lat, c.lon, live.cell_size_m), { color: HEXAGONS.live_border.color, weight: HEXAGONS.live_border.weight + 2,
                                                          fill: false }).addTo(state.layers.live);
    });
    (state.districtLabels || []).forEach(function (marker) {
      var n = live.districts[marker.districtId];
      marker.getElement().firstChild.textContent = marker.districtName + (n ? " · " + t("new_pins", { count: n }) : "");
    });
    renderLegend();
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
    renderLegend();
  }

  function setFrozen(frozen) {
    state.frozen = frozen;
    document.getElementById("frozen-badge").hidden = !frozen;
    if (!frozen && state.pendingLive) { applyLive(state.pendingLive); }
  }

  // Ideas keyed in on the screen (key I): linked to the hotspot shown (the one stepped to, or the
  // only one), else to the workshop's Ortsteil, else to the municipality; published at once.
  var ideaDialog = document.getElementById("idea-dialog");
  var ideaForm = document.getElementById("idea-form");
  var ideaError = document.getElementById("idea-error");
  var ideaTarget = null;

  function hotspotOnScreen() {
    if (state.index >= 0 && state.hotspots[state.index]) { return state.hotspots[state.index]; }
    return state.hotspots.length === 1 ? state.hotspots[0] : null;
  }

  function renderIdeas(collected) {
    var list = document.getElementById("ideas-list");
    list.textContent = "";
    collected.titles.forEach(function (idea) {
      var li = document.createElement("li");
      li.textContent = idea.title;
      list.appendChild(li);
    });
    if (collected.count) {
      document.getElementById("ideas-count").textContent =
        collected.count === 1 ? MESSAGES.ideas_count_one : t("ideas_count_many", { count: collected.count });
    }
    var pending = document.getElementById("ideas-pending");
    pending.hidden = !collected.pending;
    pending.textContent = collected.pending ? t("ideas_pending", { count: collected.pending }) : "";
  }

  function loadIdeas() {
    fetch(element.dataset.ideasUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (collected) { if (collected) { renderIdeas(collected); } })
      .catch(function () { /* the next round tries again */ });
  }

  function openIdeaDialog() {
    if (!state.data || ideaDialog.open) { return; }
    var hotspot = hotspotOnScreen();
    var workshop = state.data.workshop;
    ideaTarget = hotspot && state.data.run ? { hotspot_number: hotspot.number, run_id: state.data.run.id } : {};
    document.getElementById("idea-target").textContent = hotspot && state.data.run
      ? t("idea_for_hotspot", { number: hotspot.number })
      : workshop.district ? t("idea_for_district", { name: workshop.district })
        : t("idea_for_municipality", { name: workshop.municipality });
    ideaForm.reset();
    ideaError.hidden = true;
    ideaDialog.showModal();
    document.getElementById("idea-title").focus();
  }

  function problemText(problem) {
    var fields = (problem.errors || []).map(function (e) { return e.message; });
    return fields.length ? fields.join(" ") : problem.detail || problem.title;
  }

  ideaForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {
      title: document.getElementById("idea-title").value,
      body: document.getElementById("idea-body").value,
      dimensions: Array.prototype.map.call(ideaForm.querySelectorAll("input[name=dimensions]:checked"),
                                           function (box) { return box.value; })
    };
    Object.keys(ideaTarget || {}).forEach(function (key) { body[key] = ideaTarget[key]; });
    var save = document.getElementById("idea-save");
    save.disabled = true;
    fetch(element.dataset.ideaUrl, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": element.dataset.csrfToken }
    }).then(function (r) {
      return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok) {
        ideaError.textContent = t("idea_failed", { reason: problemText(result.answer) });
        ideaError.hidden = false;
        return;
      }
      ideaDialog.close();
      var saved = document.getElementById("idea-saved");
      saved.textContent = t("idea_saved", { title: body.title.trim() });
      saved.hidden = false;
      renderIdeas(result.answer.collected);
    }).catch(function () {
      ideaError.textContent = MESSAGES.idea_offline;
      ideaError.hidden = false;
    }).then(function () { save.disabled = false; });
  });
  document.getElementById("idea-cancel").addEventListener("click", function () { ideaDialog.close(); });

  document.addEventListener("keydown", function (event) {
    // Typing in a field (the idea's title, a checkbox) is not a command for the map.
    var target = event.target;
    if (ideaDialog.open || (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var qr = document.getElementById("qr-overlay");
    switch (event.key) {
      case "i": case "I": openIdeaDialog(); break;
      case "ArrowRight": case "PageDown": showHotspot(state.index + 1); break;
      case "ArrowLeft": case "PageUp": showHotspot(state.index - 1); break;
      case "1": toggle("heat"); break;
      case "2": toggle("grid"); break;
      case "3": toggle("hotspots"); break;
      case "4": toggle("clusters"); break;
      case "5": toggle("dense"); break;
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
    .then(function (data) { build(data); poll(); loadIdeas(); setInterval(loadIdeas, 10000); });
})();
