/* The map of a municipality's ideas: each idea's area (a hotspot's or its districts' outline, never a
   pin) with a popup linking to the idea; the same ideas are listed below the map. */
(function () {
  "use strict";
  var element = document.getElementById("ideas-map");
  if (!element) { return; }
  var map = Glaswaende.mapSetup.areaMap(element);
  var areas = JSON.parse(element.dataset.areas);
  L.geoJSON(areas, {
    style: function () { return { color: "#0b5394", weight: 2, fillColor: "#3d85c6", fillOpacity: 0.15 }; },
    onEachFeature: function (feature, layer) {
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = feature.properties.url;
      link.textContent = feature.properties.title;
      var state = document.createElement("p");
      state.textContent = feature.properties.state;
      box.appendChild(link);
      box.appendChild(state);
      layer.bindPopup(box);
    }
  }).addTo(map);
})();
