/* The maps of step two's public pages: a municipality's project areas (from /api/projects, each
   outline linked to its project) or one project's area (from the page's data-area). Areas are
   district or hotspot outlines, never a resident's point. */
(function () {
  "use strict";
  var mapSetup = Glaswaende.mapSetup;
  var style = { color: "#0b5394", weight: 2, fillColor: "#3d85c6", fillOpacity: 0.25 };

  function showError(element) {
    var message = document.createElement("p");
    message.className = "error";
    message.setAttribute("role", "alert");
    message.textContent = element.dataset.loadError;
    element.insertAdjacentElement("afterend", message);
  }

  function fit(map, layer) {
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 15 }); }
  }

  // A project's title is what a coordinator wrote: text nodes only, never markup (Leaflet would
  // set a string as innerHTML).
  function tooltipOf(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.title;
    box.appendChild(title);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(properties.status_label + " · " + properties.progress + " %"));
    return box;
  }

  var list = document.getElementById("projects-map");
  if (list) {
    var bounds = JSON.parse(list.dataset.bounds);
    var map = mapSetup.createMap(list, mapSetup.settingsOf(list), { zoomSnap: 0.25 });
    map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], { padding: [8, 8] });
    mapSetup.fetchJSON(list.dataset.projectsUrl).then(function (collection) {
      var layer = L.geoJSON(collection, {
        filter: function (f) { return f.geometry && f.geometry.type !== "Point"; },
        style: function () { return style; },
        onEachFeature: function (f, shape) {
          shape.bindTooltip(tooltipOf(f.properties));
          shape.on("click", function () { window.location.href = f.properties.url; });
        }
      }).addTo(map);
      fit(map, layer);
    }).catch(function () { showError(list); });
  }

  var one = document.getElementById("project-map");
  if (one) {
    try {
      var projectMap = mapSetup.createMap(one, mapSetup.settingsOf(one), { zoomSnap: 0.25 });
      fit(projectMap, L.geoJSON(JSON.parse(one.dataset.area), { style: function () { return style; } }).addTo(projectMap));
    } catch (error) {
      showError(one);
    }
  }
})();
