/* A resident's own pins: deleting asks first, and waits a few seconds in which it can be undone;
   only then is the form sent, confirmed (without this script the server asks on a page of its own). */
(function () {
  "use strict";
  var holder = document.getElementById("delete-messages");
  var t = Glaswaende.messages.read(holder).t;
  var undoSeconds = parseInt(holder.dataset.undoSeconds, 10);

  function button(text, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button " + className;
    b.textContent = text;
    return b;
  }

  var pending = false;  // one deletion counts down at a time
  function deleteButtons(disabled) {
    Array.prototype.forEach.call(document.querySelectorAll("form.delete-form button[type=submit]"), function (b) {
      b.disabled = disabled;
    });
  }

  function send(form) {
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "ja";
    form.appendChild(confirmed);
    form.submit();
  }

  // After "yes": a countdown with "Rückgängig"; the form goes only when it has run out.
  function countDown(form, box) {
    var left = undoSeconds;
    pending = true;
    deleteButtons(true);
    box.textContent = "";
    // Announced once; the seconds that follow are shown, not read out every second.
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.textContent = t("pending", { seconds: left });
    var undo = button(t("undo"), "secondary");
    box.appendChild(status);
    box.appendChild(undo);
    undo.focus();
    var timer = setInterval(function () {
      left -= 1;
      if (left > 0) { status.setAttribute("aria-live", "off"); status.textContent = t("pending", { seconds: left }); return; }
      clearInterval(timer);
      undo.disabled = true;  // sent: there is nothing left to undo
      send(form);
    }, 1000);
    undo.addEventListener("click", function () {
      clearInterval(timer);
      pending = false;
      deleteButtons(false);
      box.textContent = "";
      var undone = document.createElement("p");
      undone.setAttribute("role", "status");
      undone.textContent = t("undone");
      box.appendChild(undone);
      form.querySelector("button[type=submit]").focus();
    });
  }

  function ask(form, box) {
    box.textContent = "";
    var question = document.createElement("p");
    question.setAttribute("role", "alert");
    question.textContent = form.dataset.question;
    var yes = button(t("yes"), "danger");
    var no = button(t("no"), "secondary");
    box.appendChild(question);
    box.appendChild(yes);
    box.appendChild(no);
    no.focus();
    yes.addEventListener("click", function () { countDown(form, box); });
    no.addEventListener("click", function () {
      box.textContent = "";
      deleteButtons(false);
      form.querySelector("button[type=submit]").focus();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.delete-form"), function (form) {
    var box = document.createElement("div");
    box.className = "delete-question";
    form.parentNode.insertBefore(box, form.nextSibling);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (pending) { return; }
      deleteButtons(true);
      ask(form, box);
    });
  });
})();
