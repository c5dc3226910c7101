/* The municipality page: districts outlined, tap to place a draggable pin, send it to the API;
   a pin the server has not answered waits in the outbox (outbox.js) until it arrives. */
(function () {
  "use strict";
  var mapSetup = Glaswaende.mapSetup;
  var outbox = Glaswaende.outbox;
  var element = document.getElementById("map");
  var form = document.getElementById("pin-form");
  var positionStatus = document.getElementById("position-status");
  var formError = document.getElementById("form-error");
  var confirmation = document.getElementById("confirmation");
  var comment = document.getElementById("comment");
  var districtChoice = document.getElementById("district-choice");
  // The question asked before a district replaces a pin already on the map.
  var replacePrompt = document.getElementById("replace-pin");
  function hideReplacePrompt() { replacePrompt.hidden = true; }
  var t = Glaswaende.messages.read(form).t;

  // A fresh id per pin draft: a retry after a lost answer re-sends the same id, and the
  // server answers with the stored pin instead of creating a duplicate.
  function newId() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // The secret of the private edit link: one per visit (this tab), so pins set one after another
  // share one link. On a workshop's page every pin gets its own: the next pin on a shared tablet
  // may be someone else's. The page makes the secret, so it knows the link even when the
  // server's answer is lost (an unsent pin keeps its secret in the outbox).
  function forgetEditKeyOnSharedDevices() {
    if (!form.dataset.workshop) { return; }
    try { sessionStorage.removeItem("glaswaende.editKey"); } catch (e) { /* private mode */ }
  }

  function editKey() {
    var key = null;
    try { key = sessionStorage.getItem("glaswaende.editKey"); } catch (e) { /* private mode */ }
    if (!key) {
      var b = new Uint8Array(32);
      crypto.getRandomValues(b);
      key = btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      try { sessionStorage.setItem("glaswaende.editKey", key); } catch (e) { /* private mode */ }
    }
    return key;
  }

  // A random id for this phone, for the per-device rate limit only (the server keeps a salted
  // hash of it, never with a pin).
  function deviceId() {
    var id = null;
    try { id = localStorage.getItem("glaswaende.device"); } catch (e) { /* private mode */ }
    if (!id) {
      id = newId();
      try { localStorage.setItem("glaswaende.device", id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  var map = mapSetup.areaMap(element);
  var marker = null;
  // The chosen place: null, {kind: "point"} (the marker's position) or {kind: "district", id, name}.
  var place = null;
  var draftId = newId();

  function describe(latlng) {
    return t("chosen_point", { lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) });
  }

  function removePin() {
    if (marker) { map.removeLayer(marker); marker = null; }
    place = null;
  }

  // A point in another municipality is not this page's: the pin goes, and a link leads there.
  function refusePoint(text, other) {
    removePin();
    positionStatus.textContent = text + " ";
    if (other) {
      var link = document.createElement("a");
      link.href = form.dataset.municipalityUrl.replace("AGS", other.ags);
      link.textContent = t("switch_municipality", { name: other.name });
      positionStatus.appendChild(link);
    }
  }

  // The server names the place as it would store the pin there (GET /api/place). The latest
  // question only counts; without an answer (no connection) the coordinates stay the description
  // and the server decides when the pin is sent.
  var placeQuestion = 0;
  var placeChecked = Promise.resolve();
  var checkedPoint = null;  // the marker position the last check was asked about
  function checkPlace(latlng) {
    var asked = ++placeQuestion;
    checkedPoint = latlng;
    var url = form.dataset.placeUrl + "?lat=" + latlng.lat + "&lon=" + latlng.lng;
    // A connection that hangs must not hold the form: after 3 s the server decides when it is sent.
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 3000) : null;
    placeChecked = fetch(url, { headers: { Accept: "application/json" },
                                signal: controller ? controller.signal : undefined }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    }).then(function (answer) {
      if (asked !== placeQuestion || !place || place.kind !== "point") { return; }
      if (answer.ok && answer.data.municipality.ags === form.dataset.municipality) {
        positionStatus.textContent = t("chosen_place", { place: answer.data.place });
      } else if (answer.ok) {
        refusePoint(t("outside_municipality", { name: answer.data.municipality.name }), answer.data.municipality);
      } else if (answer.status === 422) {
        refusePoint(answer.data.detail || t("refused"), null);
      }
    }).catch(function () { /* offline: the coordinates stay */ }).then(function () {
      if (timer) { clearTimeout(timer); }
    });
  }

  function placePin(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { draggable: true, keyboard: false, title: t("your_pin"), alt: t("your_pin") }).addTo(map);
      marker.on("dragend", function () {
        positionStatus.textContent = describe(marker.getLatLng());
        checkPlace(marker.getLatLng());
      });
    }
    place = { kind: "point" };
    districtChoice.value = "";
    hideReplacePrompt();
    positionStatus.textContent = describe(latlng);
    checkPlace(latlng);
  }

  // Without the map: a district from the list; the server places the pin at its centre.
  function useDistrict() {
    if (!districtChoice.value) {
      positionStatus.textContent = t("choose_district_first");
      districtChoice.focus();
      return false;
    }
    if (marker) { map.removeLayer(marker); marker = null; }
    hideReplacePrompt();
    var name = districtChoice.options[districtChoice.selectedIndex].text;
    place = { kind: "district", id: parseInt(districtChoice.value, 10), name: name };
    positionStatus.textContent = t("chosen_district", { name: name });
    return true;
  }

  mapSetup.fetchJSON(element.dataset.districtsUrl).then(function (collection) {
    var approximate = collection.features.some(function (f) { return f.properties.approximate; });
    if (approximate) {
      // Said on the map itself, so that a screenshot or a projection keeps the caveat.
      var note = L.control({ position: "bottomleft" });
      note.onAdd = function () {
        var div = L.DomUtil.create("div", "map-note");
        div.textContent = t("approximate");
        return div;
      };
      note.addTo(map);
    }
    var labels = [];
    L.geoJSON(collection, {
      style: function (f) {
        return { color: "#0b5394", weight: 2, dashArray: f.properties.approximate ? "6 4" : null,
                 fillColor: "#3d85c6", fillOpacity: 0.08 };
      },
      onEachFeature: function (f, layer) {
        // Names stay on the map; no popups, which would cover the pin the resident just set.
        // A tap on a district reaches the map's click handler (Leaflet lets it bubble).
        var at = f.properties.label_point;
        var bounds = layer.getBounds();
        labels.push({
          tooltip: L.tooltip({ permanent: true, direction: "center", className: "area-label", interactive: false })
            .setLatLng([at[1], at[0]]).setContent(f.properties.name).addTo(map),
          priority: (bounds.getNorth() - bounds.getSouth()) * (bounds.getEast() - bounds.getWest())
        });
      }
    }).addTo(map);
    mapSetup.declutterLabels(map, labels);
  }).catch(function () {
    positionStatus.textContent = t("districts_failed");
  });

  map.on("click", function (e) { placePin(e.latlng); });

  // Keyboard: the arrow keys pan the map under the crosshair (Leaflet's keyboard handler), + and −
  // zoom, Enter sets the pin at the centre.
  element.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === element) {
      event.preventDefault();
      element.classList.add("keyboard-mode");
      placePin(map.getCenter());
    }
  });

  // The exact pin is never lost by another control: with a pin on the map, the district replaces
  // it only after the resident says so.
  function chooseDistrict() {
    if (useDistrict()) { form.querySelector("input[name=category]").focus(); }
  }
  document.getElementById("use-district").addEventListener("click", function () {
    if (marker && place && place.kind === "point") {
      replacePrompt.hidden = false;
      document.getElementById("replace-pin-no").focus();
      return;
    }
    chooseDistrict();
  });
  document.getElementById("replace-pin-yes").addEventListener("click", function () {
    hideReplacePrompt();
    chooseDistrict();
  });
  document.getElementById("replace-pin-no").addEventListener("click", function () {
    hideReplacePrompt();
    districtChoice.value = "";
    element.focus();
  });
  if (location.hash === "#ohne-karte") { document.getElementById("ohne-karte").open = true; }
  if (districtChoice.value) { useDistrict(); }

  document.getElementById("locate").addEventListener("click", function () {
    var status = document.getElementById("locate-status");
    if (!navigator.geolocation) { status.textContent = t("locate_unsupported"); return; }
    status.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(function (p) {
      var latlng = L.latLng(p.coords.latitude, p.coords.longitude);
      map.setView(latlng, 15);
      placePin(latlng);
      status.textContent = "";
    }, function () {
      status.textContent = t("locate_failed");
    }, { enableHighAccuracy: true, timeout: 10000 });
  });

  // "Was trennt hier?" only after a category where something divides; its answers go with it.
  var whatDivides = document.getElementById("what-divides");
  var dividingCategories = whatDivides.dataset.categories.split(" ");
  function askWhatDivides() {
    var chosen = form.querySelector("input[name=category]:checked");
    var asks = !!chosen && dividingCategories.indexOf(chosen.value) >= 0;
    whatDivides.hidden = !asks;
    if (!asks) {
      Array.prototype.forEach.call(whatDivides.querySelectorAll("input"), function (box) { box.checked = false; });
    }
  }
  Array.prototype.forEach.call(form.querySelectorAll("input[name=category]"), function (radio) {
    radio.addEventListener("change", askWhatDivides);
  });
  askWhatDivides();  // a category the browser restored on reload

  comment.addEventListener("input", function () {
    document.getElementById("comment-count").textContent = t("comment_count", { count: comment.value.length, max: comment.maxLength });
  });

  // The form element a field of the API's problem+json belongs to.
  function fieldFor(name) {
    if (!name) { return null; }
    if (name === "lat" || name === "lon") { return element; }
    if (name === "district_id") { return districtChoice; }
    if (name.indexOf("dimensions") === 0) { return form.querySelector("input[name=dimensions]"); }
    var found = form.elements[name.indexOf("respondent.") === 0 ? name.slice(11) : name];
    if (!found) { return null; }
    return found instanceof RadioNodeList ? found[0] : found;
  }

  // The error is announced (role=alert) and tied to the field it is about.
  var invalid = [];
  function showError(text, field) {
    formError.textContent = text;
    formError.hidden = false;
    invalid.forEach(function (f) { f.removeAttribute("aria-invalid"); f.removeAttribute("aria-describedby"); });
    invalid = [];
    if (field) {
      var fields = field.name ? form.querySelectorAll("[name=" + field.name + "]") : [field];
      Array.prototype.forEach.call(fields, function (f) {
        f.setAttribute("aria-invalid", "true");
        f.setAttribute("aria-describedby", "form-error");
        invalid.push(f);
      });
      field.focus();
    }
  }

  // One attempt: "stored" (201/200), "refused" (4xx: retrying would not help), or "waiting".
  function deliver(body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 15000) : null;
    return fetch(form.dataset.pinsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-Glaswaende-Device": deviceId() },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) {
          outbox.remove(body.id);
          return { kind: "stored", pin: data };
        }
        if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          outbox.remove(body.id);
          var extra = (data.errors || []).map(function (e) { return e.message; })
            .filter(function (m) { return m !== data.detail; });
          return { kind: "refused", message: (data.detail || t("refused")) + (extra.length ? " " + extra[0] : ""),
                   field: (data.errors || []).length ? data.errors[0].field : null };
        }
        return { kind: "waiting" };
      });
    }).catch(function () {
      return { kind: "waiting" };
    }).then(function (result) {
      if (timer) { clearTimeout(timer); }
      return result;
    });
  }

  function showEditLink(url) {
    var link = document.getElementById("edit-link");
    link.href = url;
    link.textContent = url;
    document.getElementById("edit-link-box").hidden = false;
  }

  function showOutboxStatus() {
    var waiting = outbox.all().length;
    var status = document.getElementById("outbox-status");
    status.hidden = waiting === 0;
    status.textContent = waiting === 1 ? t("outbox_one") : t("outbox_many", { count: waiting });
  }

  function confirmStored(pin, body) {
    var where = pin.place;  // named by the server: "Lauenstein (Salzhemmendorf)", never a name twice
    document.getElementById("confirmation-text").textContent =
      t("arrived", { place: where }) + (body.comment ? " " + t("comment_checked") : "");
    showEditLink(pin.edit_url || form.dataset.ownPinsUrl.replace("KEY", body.edit_key));
    forgetEditKeyOnSharedDevices();
    form.hidden = true;
    confirmation.hidden = false;
    confirmation.focus();
  }

  function confirmWaiting(body) {
    document.getElementById("confirmation-text").textContent = t("waiting");
    showEditLink(form.dataset.ownPinsUrl.replace("KEY", body.edit_key));
    forgetEditKeyOnSharedDevices();
    form.hidden = true;
    confirmation.hidden = false;
    confirmation.focus();
    showOutboxStatus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    formError.hidden = true;
    var button = document.getElementById("send");
    if (button.disabled) { return; }
    button.disabled = true;
    // The point to be sent is checked first (a pin moved since its last check, again): a point in
    // another municipality is never sent. A district needs no check.
    if (place && place.kind === "point" && marker && (!checkedPoint || !marker.getLatLng().equals(checkedPoint))) {
      checkPlace(marker.getLatLng());
    }
    var ready = place && place.kind === "point" ? placeChecked : Promise.resolve();
    ready.then(function () {
      button.disabled = false;
      send();
    });
  });

  function send() {
    if (!place) {
      showError(t("no_place"), element);
      return;
    }
    var category = form.querySelector("input[name=category]:checked");
    if (!category) { showError(t("choose_category"), form.querySelector("input[name=category]")); return; }
    var body = {
      id: draftId,
      category: category.value,
      dimensions: Array.prototype.map.call(form.querySelectorAll("input[name=dimensions]:checked"), function (c) { return c.value; }),
      comment: comment.value.trim() || null,
      respondent: { age_band: form.age_band.value || null, years_here: form.years_here.value || null },
      edit_key: editKey()
    };
    if (place.kind === "district") {
      body.district_id = place.id;
    } else {
      body.lat = marker.getLatLng().lat;
      body.lon = marker.getLatLng().lng;
    }
    if (form.dataset.workshop) { body.workshop = form.dataset.workshop; }
    if (form.website.value) { body.website = form.website.value; }
    var button = document.getElementById("send");
    button.disabled = true;
    button.textContent = t("sending");
    // Kept on the phone until the server has it: a dropped connection loses nothing, and the
    // same id makes every retry land once.
    outbox.add(body);
    deliver(body).then(function (result) {
      if (result.kind === "stored") {
        confirmStored(result.pin, body);
      } else if (result.kind === "refused") {
        showError(result.message, fieldFor(result.field));
      } else {
        confirmWaiting(body);
      }
    }).then(function () {
      button.disabled = false;
      button.textContent = t("send");
    });
  }

  document.getElementById("copy-edit-link").addEventListener("click", function () {
    var status = document.getElementById("copy-status");
    var url = document.getElementById("edit-link").href;
    if (navigator.clipboard) {
      navigator.clipboard.writeText(url).then(function () { status.textContent = t("copied"); },
        function () { status.textContent = t("copy_by_hand"); });
    } else {
      status.textContent = t("copy_by_hand");
    }
  });

  // Pins left in the outbox (sent before the connection dropped, or on an earlier visit).
  outbox.keepSending(deliver, function (sent) {
    showOutboxStatus();
    if (sent && !outbox.all().length && !confirmation.hidden) {
      document.getElementById("confirmation-text").textContent = t("arrived_later");
    }
  });

  document.getElementById("another").addEventListener("click", function () {
    draftId = newId();
    form.reset();
    document.getElementById("comment-count").textContent = t("comment_count", { count: 0, max: comment.maxLength });
    removePin();
    hideReplacePrompt();
    askWhatDivides();
    districtChoice.value = "";
    positionStatus.textContent = t("no_place_yet");
    confirmation.hidden = true;
    form.hidden = false;
    element.focus();
  });
})();
