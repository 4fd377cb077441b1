/* Accessible Learning: small progressive enhancements. The pages work without this file. */
(function () {
  "use strict";

  var live = null;
  var lastAnnouncement = {};

  function announce(text) {
    if (!live) { live = document.getElementById("live-region"); }
    if (!live || !text) { return; }
    // Clear, then set on the next frame so that the same words are read again.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  window.AccessibleLearning = { announce: announce };

  function focusOnLoad() {
    var target = document.getElementById("error-summary") ||
      document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }
  }

  function setUpCuePlayback(root) {
    var player = root.querySelector("[data-editor-player] video");
    if (!player) { return; }
    var stopAt = null;
    player.addEventListener("timeupdate", function () {
      if (stopAt !== null && player.currentTime >= stopAt) { player.pause(); stopAt = null; }
    });
    root.querySelectorAll("[data-play-cue]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        player.currentTime = parseFloat(button.getAttribute("data-start"));
        stopAt = parseFloat(button.getAttribute("data-end"));
        player.play();
      });
    });
  }

  /* Studio: "describe here" puts the video's current time in the description's time field. */
  function setUpDescribeHere(root) {
    var video = root.querySelector("[data-describe-player] video");
    var button = root.querySelector("[data-describe-here]");
    var field = root.getElementById ? root.getElementById("time") : null;
    if (!video || !button || !field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var time = video.currentTime.toFixed(1);
      field.value = time;
      announce((button.getAttribute("data-announce-text") || "{time}").replace("{time}", time));
      var text = document.getElementById("text");
      if (text) { text.focus(); }
    });
  }

  /* Studio: a suggested moment's button puts its time in the description's time field. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-time]") : null;
    var field = document.getElementById("time");
    if (!button || !field) { return; }
    field.value = button.getAttribute("data-use-time");
    var here = document.querySelector("[data-describe-here]");
    announce(((here && here.getAttribute("data-announce-text")) || "{time}")
      .replace("{time}", field.value));
    var text = document.getElementById("text");
    if (text) { text.focus(); }
  });

  /* Error summary links: focus the field and scroll so that its label (or its group's legend)
     and its error stay in view, instead of the field at the very top of the window. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var group = field.closest("fieldset");
    var label = document.querySelector("label[for='" + field.id + "']");
    var show = (group && group.querySelector("legend")) || label || field;
    show.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  /* The caption editor: Enter in a time field does not send the whole editor. */
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches &&
        event.target.matches("[data-cue-editor] input.input-time")) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setUpCuePlayback(document);
    setUpDescribeHere(document);
    // Controls that only work with this script stay hidden without it.
    document.querySelectorAll("[data-needs-script][hidden]").forEach(function (el) {
      el.hidden = false;
    });
    focusOnLoad();
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    loadOffline();
  });

  /* Lessons to take away (offline.js, a module): loaded only on a page with something of it
     (a lesson to save, the saved list, an offline answer sheet) or once a lesson is saved
     (its service worker then controls the page), to send what waited on the device. */
  function loadOffline() {
    var url = document.body.getAttribute("data-offline-script");
    var needed = document.querySelector("[data-offline-save], [data-offline-saved], [data-offline-quiz]") ||
      ("serviceWorker" in navigator && navigator.serviceWorker.controller);
    if (url && needed) { import(url); }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    target.querySelectorAll("[data-needs-script][hidden]").forEach(function (el) {
      el.hidden = false;
    });
    var source = target.matches("[data-announce]") ? target : target.querySelector("[data-announce]");
    if (source) {
      var text = source.getAttribute("data-announce");
      var key = target.id || "page";
      if (!source.hasAttribute("data-announce-on-change") || lastAnnouncement[key] !== text) {
        announce(text);
      }
      lastAnnouncement[key] = text;
    }
    // Focus moves only when the learner asked for the swap by submitting; while typing it stays.
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && trigger.type === "submit") {
      var heading = target.querySelector("h2[tabindex='-1'], [data-focus-after-swap]");
      if (heading) { heading.focus(); }
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    announce(document.documentElement.getAttribute("data-error-text") ||
      "Something went wrong. Try again.");
    void event;
  });
  document.addEventListener("htmx:sendError", function () {
    announce(document.documentElement.getAttribute("data-offline-text") ||
      "The server could not be reached. Check your connection and try again.");
  });
})();
