/* The county map: municipalities outlined, the active ones highlighted; a click opens one. */
(function () {
  "use strict";
  var mapSetup = Glaswaende.mapSetup;
  var element = document.getElementById("map");
  var map = mapSetup.areaMap(element);
  var target = element.dataset.municipalityUrl;

  mapSetup.fetchJSON(element.dataset.municipalitiesUrl).then(function (collection) {
    L.geoJSON(collection, {
      style: function (f) {
        return f.properties.active
          ? { color: "#0b5394", weight: 3, fillColor: "#3d85c6", fillOpacity: 0.35 }
          : { color: "#555", weight: 1.5, fillColor: "#999", fillOpacity: 0.12 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.name,
                          { permanent: f.properties.active, direction: "center", className: "area-label" });
        layer.on("click", function () { window.location.href = target.replace("AGS", f.properties.ags); });
      }
    }).addTo(map);
  }).catch(function () {
    var message = document.createElement("p");
    message.className = "error";
    message.setAttribute("role", "alert");
    message.textContent = element.dataset.loadError;
    element.insertAdjacentElement("afterend", message);
  });
})();
