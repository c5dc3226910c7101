/* The optional layer "Hier gibt es schon …" on the resident municipality map and the workshop
   presentation: local actors and places from GET /api/actors, off until its checkbox is ticked.
   Popups are built from text nodes: names and contacts are never read as HTML. */
(function () {
  "use strict";
  var box = document.querySelector(".actors-layer");
  var toggle = document.getElementById("actors-layer-toggle");
  if (!box || !toggle) { return; }
  var messages = Glaswaende.messages.read(box);
  var status = document.getElementById("actors-layer-status");
  var layer = null;

  function line(parent, tag, text) {
    var element = document.createElement(tag);
    element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  function popup(properties) {
    var content = document.createElement("div");
    content.className = "actor-popup";
    line(content, "strong", properties.name);
    line(content, "div", properties.kind_label);
    if (properties.description) { line(content, "div", properties.description); }
    if (properties.contact) { line(content, "div", messages.t("contact", { contact: properties.contact })); }
    if (properties.at_district_centre && properties.district) {
      line(content, "div", messages.t("at_district_centre", { name: properties.district })).className = "muted";
    }
    return content;
  }

  function build(collection) {
    var group = L.layerGroup();
    collection.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      var marker = L.circleMarker([c[1], c[0]], {
        radius: 9, color: "#1b5e20", weight: 3, fillColor: "#a5d6a7", fillOpacity: 0.95,
        dashArray: f.properties.at_district_centre ? "4 3" : null, className: "actor-marker"
      });
      marker.bindPopup(popup(f.properties));
      marker.actor = f.properties;
      group.addLayer(marker);
    });
    var n = collection.features.length;
    group.statusText = n === 0 ? messages.all.none : n === 1 ? messages.all.count_one : messages.t("count_many", { count: n });
    return group;
  }

  function map() { return window.glaswaende && window.glaswaende.map; }

  toggle.addEventListener("change", function () {
    var target = map();
    if (!target) { return; }
    if (!toggle.checked) {
      if (layer) { target.removeLayer(layer); }
      status.textContent = "";
      return;
    }
    if (layer) {
      layer.addTo(target);
      status.textContent = layer.statusText;
      return;
    }
    Glaswaende.mapSetup.fetchJSON(box.dataset.actorsUrl).then(function (collection) {
      layer = build(collection);
      window.glaswaende.actorsLayer = layer;
      if (toggle.checked) { layer.addTo(target); status.textContent = layer.statusText; }
    }).catch(function () { status.textContent = messages.all.failed; toggle.checked = false; });
  });
})();
