/* The pin form's outbox: pins not yet answered by the server, kept in localStorage, so that a
   dropped connection loses nothing; they are sent again until the server has them. */
(function () {
  "use strict";
  var KEY = "glaswaende.outbox";
  var RETRY_EVERY_MS = 10000;

  function all() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }

  function save(items) {
    try { localStorage.setItem(KEY, JSON.stringify(items)); } catch (e) { /* private mode: no outbox */ }
  }

  function add(body) {
    var items = all().filter(function (b) { return b.id !== body.id; });
    items.push(body);
    save(items);
  }

  function remove(id) {
    save(all().filter(function (b) { return b.id !== id; }));
  }

  // Sends the waiting pins one after another with deliver(body) (a promise; it removes each pin
  // the server answered), now, every 10 s and when the browser is back online; then
  // settled(sent), sent saying whether any pin was waiting.
  function keepSending(deliver, settled) {
    var sending = false;
    function sendWaiting() {
      if (sending) { return; }
      var items = all();
      if (!items.length) { settled(false); return; }
      sending = true;
      items.reduce(function (chain, body) {
        return chain.then(function () { return deliver(body); });
      }, Promise.resolve()).then(function () {
        sending = false;
        settled(true);
      });
    }
    window.addEventListener("online", sendWaiting);
    setInterval(sendWaiting, RETRY_EVERY_MS);
    sendWaiting();
  }

  var Glaswaende = window.Glaswaende = window.Glaswaende || {};
  Glaswaende.outbox = { all: all, add: add, remove: remove, keepSending: keepSending };
})();
