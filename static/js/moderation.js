/* The moderation queue: a small map per comment with its pin and the district outlines (its
   attribution behind the "i" beside it: the map itself holds no control), and redaction by
   marking: text selected in a comment becomes a span to black out in that comment's form
   ("start:end" in characters, checked by the server against the text shown). Without
   JavaScript the flagged spans and the edit field still work. */
(function () {
  "use strict";
  var mapSetup = Glaswaende.mapSetup;
  var settingsElement = document.getElementById("mini-map-settings");
  var settings = mapSetup.settingsOf(settingsElement);
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
    // The sources stand in the card's "i" (templates/moderation/queue.html), not over the small map.
    map.removeControl(map.attributionControl);
    map.setView(at, 14);
    L.circleMarker(at, { radius: 8, color: "#000", weight: 2, fillColor: "#f1c232", fillOpacity: 1 }).addTo(map);
    districts(element.dataset.districtsUrl).then(function (collection) {
      L.geoJSON(collection, { interactive: false,
        style: { color: "#0b5394", weight: 1.5, fillOpacity: 0.05 } }).addTo(map);
    }).catch(function () { /* the pin alone still shows where it is */ });
  });

  // --- Redaction by marking --------------------------------------------------------------------
  var addLabel = settingsElement.dataset.addLabel || "Markierung hinzufügen";
  var removeLabel = settingsElement.dataset.removeLabel || "entfernen";

  function codePoints(text) { return Array.from(text).length; }

  // The selection as [start, end] in code points of the comment's text, or null if it is not
  // (wholly) inside `quote`.
  function selectedSpan(quote) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
    var range = selection.getRangeAt(0);
    if (!quote.contains(range.startContainer) || !quote.contains(range.endContainer)) { return null; }
    var before = document.createRange();
    before.selectNodeContents(quote);
    before.setEnd(range.startContainer, range.startOffset);
    var prefix = before.toString();
    var chosen = range.toString();
    // Leading and trailing blanks are not part of what is meant.
    var lead = chosen.length - chosen.replace(/^\s+/, "").length;
    chosen = chosen.trim();
    if (!chosen) { return null; }
    var start = codePoints(prefix) + codePoints(range.toString().slice(0, lead));
    return { start: start, end: start + codePoints(chosen), text: chosen };
  }

  function addSpan(form, span) {
    var list = form.querySelector(".redact-list");
    var item = document.createElement("li");
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "span";
    box.value = "n" + span.start + ":" + span.end;  // as shown: line breaks are one "\n"
    box.checked = true;
    var mark = document.createElement("mark");
    mark.className = "flag flag-marked";
    mark.textContent = span.text;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(mark);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = removeLabel;
    remove.addEventListener("click", function () { item.remove(); });
    item.appendChild(label);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(remove);
    list.appendChild(item);
    form.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll("blockquote[data-redact-form]"), function (quote) {
    var form = document.getElementById(quote.dataset.redactForm);
    if (!form) { return; }
    var hint = form.querySelector(".redact-hint");
    if (hint) { hint.hidden = false; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary mark-span";
    button.textContent = addLabel;
    button.hidden = true;
    quote.insertAdjacentElement("afterend", button);
    var pending = null;
    function update() {
      var span = selectedSpan(quote);
      if (span) { pending = span; }
      button.hidden = !span && !(pending && document.activeElement === button);
    }
    document.addEventListener("selectionchange", update);
    quote.addEventListener("mouseup", update);
    quote.addEventListener("keyup", update);
    // Keep the selection when the button is pressed (a mouse-down would clear it first).
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      var span = selectedSpan(quote) || pending;
      if (!span) { return; }
      addSpan(form, span);
      pending = null;
      button.hidden = true;
      var selection = window.getSelection();
      if (selection) { selection.removeAllRanges(); }
      form.querySelector("button[type=submit]:not([name])").focus();
    });
  });
})();
