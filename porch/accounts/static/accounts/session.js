// The idle-timeout warning (porch/accounts/templates/accounts/_session_timeout.html).
// Two minutes before the session would end it asks the server how long is left (another
// tab may have been active) and, if it is nearly over, shows the warning. At the end it
// reloads the page, which signs out and clears health information from the screen.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var idleMs = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warnMs = parseInt(box.dataset.warnSeconds, 10) * 1000;
  var statusUrl = box.dataset.statusUrl;
  var form = box.querySelector("form");
  var timer = null;

  function schedule(leftMs) {
    window.clearTimeout(timer);
    if (leftMs > warnMs) {
      timer = window.setTimeout(check, leftMs - warnMs);
    } else {
      box.hidden = false;
      form.querySelector("button").focus();
      timer = window.setTimeout(check, leftMs + 1000);
    }
  }

  function check() {
    window.fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var leftMs = data.idle_seconds_left * 1000;
        if (leftMs <= 0) { window.location.reload(); return; }
        if (leftMs > warnMs) { box.hidden = true; }
        schedule(leftMs);
      })
      .catch(function () { window.location.reload(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { window.location.reload(); return; }
        box.hidden = true;
        schedule(idleMs);
      })
      .catch(function () { window.location.reload(); });
  });

  schedule(idleMs);
})();
