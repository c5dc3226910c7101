/* Hexagon cells drawn from their centres: flat-topped with the given edge length in metres, as
   ST_HexagonGrid makes them (locally metric; the UTM grid's rotation of about 0.4° is not visible).
   The presentation draws with it, and so do the planners' folium maps (maps/assets.py HexagonCells). */
(function () {
  "use strict";
  var METRES_PER_DEGREE = 111320;

  // The six corners [lat, lon] of the cell around a centre.
  function corners(lat, lon, size) {
    var dy = size / METRES_PER_DEGREE, dx = size / (METRES_PER_DEGREE * Math.cos(lat * Math.PI / 180)), points = [];
    for (var k = 0; k < 6; k++) {
      points.push([lat + dy * Math.sin(Math.PI / 3 * k), lon + dx * Math.cos(Math.PI / 3 * k)]);
    }
    return points;
  }

  var Glaswaende = window.Glaswaende = window.Glaswaende || {};
  Glaswaende.hexagons = { corners: corners };
})();
