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

  /* Lesson player: audio description modes. The described and extended versions are other
     files: switching keeps the position (mapped through the extended version's pauses). Text
     descriptions come from the descriptions track: spoken by the browser or put in the live
     region for the screen reader; a cue whose id ends in "extended" pauses the video until it
     has been spoken or, for the screen reader, for an estimated reading time. */
  function setUpDescriptions(root) {
    root.querySelectorAll("[data-described-player]").forEach(function (player) {
      var video = player.querySelector("video");
      var messages = player.querySelector("[data-description-messages]");
      var pauses = JSON.parse(player.getAttribute("data-pauses") || "[]");
      var lang = player.getAttribute("data-lang") || "";
      var sources = {
        off: player.getAttribute("data-src-original"),
        described: player.getAttribute("data-src-described"),
        extended: player.getAttribute("data-src-extended")
      };
      var current = "off";
      var pausedForDescription = false;
      var pending = null;  // the lesson position while another file loads
      var restore = null;  // puts the position back once it has
      var playAfter = false;  // and whether to go on playing then

      function toExtended(t) {
        var shift = 0;
        pauses.forEach(function (p) { if (p.at <= t) { shift += p.length; } });
        return t + shift;
      }
      function fromExtended(t) {
        var shift = 0;
        for (var i = 0; i < pauses.length; i++) {
          var start = pauses[i].at + shift;
          if (t < start) { break; }
          if (t < start + pauses[i].length) { return pauses[i].at; }
          shift += pauses[i].length;
        }
        return t - shift;
      }
      function descriptionsTrack() {
        for (var i = 0; i < video.textTracks.length; i++) {
          if (video.textTracks[i].kind === "descriptions") { return video.textTracks[i]; }
        }
        return null;
      }
      function resume() {
        if (pausedForDescription) { pausedForDescription = false; video.play(); }
      }
      function onCue() {
        if (current !== "speech" && current !== "screen-reader") { return; }
        var track = descriptionsTrack();
        var cues = track && track.activeCues;
        if (!cues) { return; }
        // Descriptions that start together are read as one, so that none is cut off.
        var texts = [];
        var extended = false;
        for (var i = 0; i < cues.length; i++) {
          var cue = cues[i];
          if (cue.spoken) { continue; }
          cue.spoken = true;
          extended = extended || /extended$/.test(cue.id || "");
          texts.push(cue.text.replace(/<[^>]*>/g, "").replace(/\s+/g, " "));
        }
        if (!texts.length) { return; }
        var text = texts.join(" ");
        if (extended && !video.paused) {
          video.pause();
          pausedForDescription = true;
        }
        if (current === "speech" && window.speechSynthesis) {
          var utterance = new window.SpeechSynthesisUtterance(text);
          utterance.lang = lang;
          utterance.onend = resume;
          utterance.onerror = resume;
          window.speechSynthesis.speak(utterance);
        } else {
          announce(text);
          if (extended) { window.setTimeout(resume, Math.max(2000, text.length * 120)); }
        }
      }
      function choose(mode) {
        var position = pending !== null ? pending :
          (current === "extended" ? fromExtended(video.currentTime) : video.currentTime);
        var wasPlaying = pending !== null ? playAfter : !video.paused;
        var fileMode = (mode === "described" || mode === "extended") ? mode : "off";
        var currentFile = (current === "described" || current === "extended") ? current : "off";
        current = mode;
        var track = descriptionsTrack();
        if (track) {
          track.mode = (mode === "speech" || mode === "screen-reader") ? "hidden" : "disabled";
          if (track.cues) { for (var i = 0; i < track.cues.length; i++) { track.cues[i].spoken = false; } }
        }
        if (window.speechSynthesis && mode !== "speech") { window.speechSynthesis.cancel(); }
        if (fileMode !== currentFile && sources[fileMode]) {
          pending = position;
          playAfter = wasPlaying;
          if (restore) { video.removeEventListener("loadedmetadata", restore); }
          restore = function () {
            video.removeEventListener("loadedmetadata", restore);
            restore = null;
            video.currentTime = fileMode === "extended" ? toExtended(pending) : pending;
            pending = null;
            if (playAfter) { video.play(); }
          };
          video.addEventListener("loadedmetadata", restore);
          video.src = sources[fileMode];
          video.load();
        }
        var label = player.querySelector("label[for='description-mode-" + mode + "']");
        if (messages && label) {
          announce((messages.getAttribute("data-on-text") || "{mode}").replace("{mode}", label.textContent));
        }
      }
      var track = descriptionsTrack();
      if (track) {
        track.mode = "disabled";
        track.addEventListener("cuechange", onCue);
      }
      player.querySelectorAll("input[name='description-mode']").forEach(function (radio) {
        radio.addEventListener("change", function () { if (radio.checked) { choose(radio.value); } });
      });
      var checked = player.querySelector("input[name='description-mode']:checked");
      if (checked && checked.value !== "off") { choose(checked.value); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCuePlayback(document);
    setUpDescribeHere(document);
    setUpDescriptions(document);
    // Controls that only work with this script stay hidden without it.
    document.querySelectorAll("[data-needs-script][hidden]").forEach(function (el) {
      el.hidden = false;
    });
    focusOnLoad();
    setUpCaptionsToggle(document);
  });

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
