/* The staff form of a local actor: a click on the small map sets its point (the latitude and
   longitude fields beside it serve the keyboard, and typing there moves the marker); "Punkt
   entfernen" clears it. The server checks the point (inside the county, in the chosen municipality). */
(function () {
  "use strict";
  var element = document.getElementById("actor-map");
  if (!element) { return; }
  var lat = document.getElementById("actor-lat");
  var lon = document.getElementById("actor-lon");
  var map = Glaswaende.mapSetup.areaMap(element);
  var marker = null;

  function number(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function show() {
    var la = number(lat), lo = number(lon);
    if (la === null || lo === null) {
      if (marker) { map.removeLayer(marker); marker = null; }
      return;
    }
    if (!marker) {
      marker = L.circleMarker([la, lo], { radius: 9, color: "#003366", weight: 3, fillColor: "#f1c232", fillOpacity: 0.9 }).addTo(map);
    } else {
      marker.setLatLng([la, lo]);
    }
  }

  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    show();
  });
  lat.addEventListener("input", show);
  lon.addEventListener("input", show);
  document.getElementById("actor-clear-point").addEventListener("click", function () {
    lat.value = "";
    lon.value = "";
    show();
  });
  show();
  if (marker) { map.setView(marker.getLatLng(), 14); }
})();
