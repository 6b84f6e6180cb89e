// Shows and hides questions whose enableWhen depends on other answers, as the answers
// change. Only a convenience: the server decides again what is enabled on submit.
(function () {
  "use strict";
  var form = document.querySelector('form[data-testid="checkin"]');
  if (!form) { return; }
  var dependents = form.querySelectorAll("[data-enable-when]");
  if (!dependents.length) { return; }

  function value(name) {
    var inputs = form.querySelectorAll('[name="qr-' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.closest("[hidden]")) { continue; }
      if (input.type === "radio") { if (input.checked) { return input.value; } continue; }
      if (input.value !== "") { return input.value; }
    }
    return null;
  }

  function holds(condition) {
    var answer = value(condition.name);
    if (condition.op === "exists") { return (answer !== null) === Boolean(condition.answer); }
    if (answer === null) { return false; }
    var left = answer, right = condition.answer;
    if (typeof right === "number") { left = parseFloat(answer.replace(",", ".")); if (isNaN(left)) { return condition.op === "!="; } }
    switch (condition.op) {
      case "=": return left === right;
      case "!=": return left !== right;
      case ">": return left > right;
      case "<": return left < right;
      case ">=": return left >= right;
      case "<=": return left <= right;
    }
    return false;
  }

  function update() {
    // Twice, so a question depending on one that just appeared is settled too.
    for (var round = 0; round < 2; round++) {
      dependents.forEach(function (item) {
        var conditions = JSON.parse(item.getAttribute("data-enable-when"));
        var results = conditions.map(holds);
        var any = item.getAttribute("data-enable-behavior") === "any";
        var on = any ? results.indexOf(true) !== -1 : results.indexOf(false) === -1;
        item.hidden = !on;
      });
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
