/* A resident's own pins: a small map per pin to move it. A tap on the map, dragging the pin, or
   Enter (the pin to the map's centre, for the keyboard) moves it; the server names the new place
   (GET /api/place) and the form's lat/lon carry it when the change is saved. A point outside the
   county is refused at once and the pin goes back. Without this script the maps stay hidden and a
   pin keeps its place. */
(function () {
  "use strict";
  var mapSetup = Glaswaende.mapSetup;
  var holder = document.getElementById("move-messages");
  var t = Glaswaende.messages.read(holder).t;
  var settings = mapSetup.settingsOf(holder);

  function setUp(form) {
    var box = form.querySelector(".move-pin");
    var element = box.querySelector(".own-pin-map");
    var status = box.querySelector(".move-status");
    var latField = form.elements.lat;
    var lonField = form.elements.lon;
    var home = L.latLng(parseFloat(element.dataset.lat), parseFloat(element.dataset.lon));
    box.hidden = false;
    var map = mapSetup.createMap(element, settings, { zoomSnap: 0.5, tap: true });
    map.setView(home, 15);
    window.glaswaende = window.glaswaende || {};
    (window.glaswaende.ownPinMaps = window.glaswaende.ownPinMaps || []).push(map);
    var marker = L.marker(home, { draggable: true, keyboard: false, title: t("your_pin"), alt: t("your_pin") }).addTo(map);
    var back = null;
    var asked = 0;
    // The Ortsteile as outlines: the place reads without tiles too (boundaries-only maps).
    mapSetup.fetchJSON(element.dataset.districtsUrl, "application/geo+json").then(function (collection) {
      L.geoJSON(collection, { interactive: false, style: { color: "#0b5394", weight: 1.5, fillOpacity: 0.05 } }).addTo(map);
    }).catch(function () { /* the pin alone still shows where it is */ });

    function showBack() {
      if (back) { return; }
      back = document.createElement("button");
      back.type = "button";
      back.className = "button secondary";
      back.textContent = t("back");
      back.addEventListener("click", function () { reset(t("back_done")); });
      status.insertAdjacentElement("afterend", back);
    }

    function reset(message) {
      asked += 1;  // an answer still on its way no longer counts
      marker.setLatLng(home);
      latField.value = "";
      lonField.value = "";
      status.textContent = message;
      if (back) { back.remove(); back = null; }
    }

    function moveTo(latlng) {
      var question = ++asked;
      marker.setLatLng(latlng);
      latField.value = latlng.lat.toFixed(6);
      lonField.value = latlng.lng.toFixed(6);
      status.textContent = t("moved_unchecked");
      showBack();
      fetch(holder.dataset.placeUrl + "?lat=" + latlng.lat + "&lon=" + latlng.lng,
            { headers: { Accept: "application/json" } }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
      }).then(function (answer) {
        if (question !== asked) { return; }
        if (answer.ok) {
          status.textContent = t("moved", { place: answer.data.place });
        } else if (answer.status === 422) {
          reset((answer.data.detail || "") + " " + t("stays"));
        }
      }).catch(function () { /* offline: the server checks the point when the change is saved */ });
    }

    map.on("click", function (event) { moveTo(event.latlng); });
    marker.on("dragend", function () { moveTo(marker.getLatLng()); });
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target === element) {
        event.preventDefault();
        moveTo(map.getCenter());
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.own-pin-form"), setUp);
})();
