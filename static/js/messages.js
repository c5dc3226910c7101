/* A script's words in the page's language: the server puts them into the data-messages attribute
   of an element, with {name} placeholders that t(key, values) fills in. */
(function () {
  "use strict";

  function read(element) {
    var messages = JSON.parse(element.dataset.messages);
    function t(key, values) {
      return messages[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
    }
    return { all: messages, t: t };
  }

  var Glaswaende = window.Glaswaende = window.Glaswaende || {};
  Glaswaende.messages = { read: read };
})();
