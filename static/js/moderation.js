/* The moderation queue: a small map per comment with its pin and the district outlines. */
(function () {
  "use strict";
  var mapSetup = Glaswaende.mapSetup;
  var settings = mapSetup.settingsOf(document.getElementById("mini-map-settings"));
  var districtRequests = {};

  function districts(url) {
    if (!districtRequests[url]) {
      districtRequests[url] = mapSetup.fetchJSON(url, "application/geo+json");
    }
    return districtRequests[url];
  }

  Array.prototype.forEach.call(document.querySelectorAll(".mini-map"), function (element) {
    var at = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = mapSetup.createMap(element, settings, { zoomControl: false, dragging: false, scrollWheelZoom: false,
                                                      doubleClickZoom: false, boxZoom: false, keyboard: false,
                                                      touchZoom: false }, false);
    map.setView(at, 14);
    L.circleMarker(at, { radius: 8, color: "#000", weight: 2, fillColor: "#f1c232", fillOpacity: 1 }).addTo(map);
    districts(element.dataset.districtsUrl).then(function (collection) {
      L.geoJSON(collection, { interactive: false,
        style: { color: "#0b5394", weight: 1.5, fillOpacity: 0.05 } }).addTo(map);
    }).catch(function () { /* the pin alone still shows where it is */ });
  });
})();
