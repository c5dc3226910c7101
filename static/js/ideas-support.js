/* "Unterstützen" without leaving the page: the form is sent by fetch with this phone's random
   device id (the one the pin form keeps; the server stores only a salted hash), and the count and
   the answer are shown in place. Without JavaScript the form posts and the page comes back. */
(function () {
  "use strict";
  var form = document.getElementById("support-form");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("support-count");

  function deviceId() {
    var id = null;
    try { id = localStorage.getItem("glaswaende.device"); } catch (e) { /* private mode */ }
    if (!id && window.crypto && crypto.getRandomValues) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { localStorage.setItem("glaswaende.device", id); } catch (e) { /* private mode */ }
    }
    return id || "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    form.elements.device.value = deviceId();
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
                         credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (answer) {
        // The count and the answer ("Danke! …") each on a line of their own.
        var count = document.createElement("p");
        var message = document.createElement("p");
        count.textContent = answer.count_text;
        message.textContent = answer.message;
        while (status.firstChild) { status.removeChild(status.firstChild); }
        status.appendChild(count);
        status.appendChild(message);
      })
      .catch(function () { form.submit(); });
  });
})();
