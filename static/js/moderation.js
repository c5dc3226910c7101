/* The moderation queue: a small map per comment with its pin and the district outlines. */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("mini-map-settings").dataset.mapSettings);
  var districtRequests = {};

  function districts(url) {
    if (!districtRequests[url]) {
      districtRequests[url] = fetch(url, { headers: { Accept: "application/geo+json" } }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
    }
    return districtRequests[url];
  }

  Array.prototype.forEach.call(document.querySelectorAll(".mini-map"), function (element) {
    var at = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = L.map(element, { zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
                               boxZoom: false, keyboard: false, touchZoom: false });
    map.attributionControl.setPrefix(false);
    settings.data_attributions.forEach(function (text) { map.attributionControl.addAttribution(text); });
    if (settings.tile_url) {
      L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution, maxZoom: 18 }).addTo(map);
    }
    map.setView(at, 14);
    L.circleMarker(at, { radius: 8, color: "#000", weight: 2, fillColor: "#f1c232", fillOpacity: 1 }).addTo(map);
    districts(element.dataset.districtsUrl).then(function (collection) {
      L.geoJSON(collection, { interactive: false,
        style: { color: "#0b5394", weight: 1.5, fillOpacity: 0.05 } }).addTo(map);
    }).catch(function () { /* the pin alone still shows where it is */ });
  });
})();
