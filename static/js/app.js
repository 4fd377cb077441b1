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

  function focusOnLoad() {
    var target = document.getElementById("error-summary") ||
      document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }
  }

  function setUpCaptionsToggle(root) {
    root.querySelectorAll("[data-player]").forEach(function (player) {
      var video = player.querySelector("video");
      var button = player.querySelector("[data-captions-toggle]");
      var speed = parseFloat(player.getAttribute("data-playback-speed"));
      if (video && speed > 0) {
        video.defaultPlaybackRate = speed;
        video.playbackRate = speed;
      }
      if (!video || !button) { return; }
      function track() {
        for (var i = 0; i < video.textTracks.length; i++) {
          var t = video.textTracks[i];
          if (t.kind === "captions" || t.kind === "subtitles") { return t; }
        }
        return null;
      }
      function sync() {
        var t = track();
        button.setAttribute("aria-pressed", t && t.mode === "showing" ? "true" : "false");
      }
      button.addEventListener("click", function () {
        var t = track();
        if (!t) { return; }
        var on = t.mode !== "showing";
        t.mode = on ? "showing" : "disabled";
        sync();
        announce(button.getAttribute(on ? "data-on-text" : "data-off-text") ||
          (on ? "Captions on" : "Captions off"));
      });
      if (video.textTracks.addEventListener) {
        video.textTracks.addEventListener("change", sync);
      }
      var initial = track();
      if (initial && button.getAttribute("aria-pressed") === "true") { initial.mode = "showing"; }
    });
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

  document.addEventListener("DOMContentLoaded", function () {
    setUpCuePlayback(document);
    // Controls that only work with this script stay hidden without it.
    document.querySelectorAll("[data-needs-script][hidden]").forEach(function (el) {
      el.hidden = false;
    });
    focusOnLoad();
    setUpCaptionsToggle(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
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
