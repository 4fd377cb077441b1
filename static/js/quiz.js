/* Quizzes: the time left, counted down on the page, with a warning announced before it runs out.
   Without this script the server's figure and the "Extend the time" button still work. */
(function () {
  "use strict";

  var timer = null;

  function announce(text) {
    if (window.AccessibleLearning && text) { window.AccessibleLearning.announce(text); }
  }

  function start(afterSwap) {
    var box = document.querySelector(".quiz-timer");
    if (!box) { return; }
    if (timer) { window.clearInterval(timer); }
    var secondsLeft = parseInt(box.getAttribute("data-deadline-in"), 10);
    if (isNaN(secondsLeft)) { return; }
    var deadline = Date.now() + secondsLeft * 1000;
    var warnBefore = parseInt(box.getAttribute("data-warn-before"), 10) || 120;
    var warned = secondsLeft <= warnBefore;
    var out = secondsLeft <= 0;
    var label = box.querySelector("[data-time-left]");
    if (warned && !out && !afterSwap) { announce(box.getAttribute("data-warn-text")); }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (left === 0) {
        label.textContent = box.getAttribute("data-out-text");
        if (!out) { out = true; announce(box.getAttribute("data-out-text")); }
        window.clearInterval(timer);
        return;
      }
      label.textContent = box.getAttribute("data-left-text")
        .replace("{minutes}", String(Math.ceil(left / 60)));
      if (!warned && left <= warnBefore) {
        warned = true;
        box.classList.add("quiz-timer-warning");
        announce(box.getAttribute("data-warn-text"));
      }
    }
    timer = window.setInterval(tick, 1000);
  }

  /* Sending the quiz while an answer is still being saved would cut that save off: wait for it,
     then send. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("quiz-form") ||
        !form.classList.contains("htmx-request")) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    form.addEventListener("htmx:afterRequest", function () {
      window.setTimeout(function () { form.requestSubmit(submitter); }, 0);
    }, { once: true });
  }, true);

  document.addEventListener("DOMContentLoaded", function () { start(false); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "timer-region") { start(true); }
  });
})();
