/* Accessible Learning player: what the learner sets in the player and keeps. Owns captions on
   and off (the captions track), the playback speed and the caption style, each applied at once,
   announced, and saved in the learner's preferences. It must not seek or play; the core calls
   it for the captions, speed and style actions. */

import { announce, clamp, fill, lessonStart, offlineText, post } from "./util.js";

export var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];

export function setUpPreferences(P) {
  var video = P.video;
  var M = P.M;
  var preferencesUrl = P.root.getAttribute("data-preferences-url");
  var speedSelect = P.root.querySelector("[data-speed]");

  function savePreference(name, value) {
    if (!preferencesUrl) { return; }
    var form = new FormData();
    form.append(name, String(value));
    post(preferencesUrl, form).catch(function () { /* kept for this page anyway */ });
  }

  /* Captions */
  function captionsTrack() {
    for (var i = 0; i < video.textTracks.length; i++) {
      var t = video.textTracks[i];
      if (t.kind === "captions" || t.kind === "subtitles") { return t; }
    }
    return null;
  }
  function setCaptions(on) {
    var t = captionsTrack();
    if (!t) { announce(M.no_captions); return; }
    t.mode = on ? "showing" : "disabled";
    P.press("captions", on);
    announce(on ? M.captions_on : M.captions_off);
    savePreference("captions_on", on);
  }
  function captionsShowing() {
    var t = captionsTrack();
    return !!(t && t.mode === "showing");
  }
  function lastCaption() {
    var t = captionsTrack();
    var here = P.now();
    var best = null;
    if (t && t.cues) {
      for (var i = 0; i < t.cues.length; i++) {
        if (lessonStart(t.cues[i]) <= here + 0.05) { best = t.cues[i]; }
      }
    }
    return best;
  }
  var initialCaptions = captionsTrack();
  if (initialCaptions) {
    var captionsButton = P.button("captions");
    var wanted = captionsButton && captionsButton.getAttribute("aria-pressed") === "true";
    initialCaptions.mode = wanted ? "showing" : "disabled";
  }

  /* Speed */
  function setSpeed(speed, quiet) {
    speed = clamp(speed, SPEEDS[0], SPEEDS[SPEEDS.length - 1]);
    video.defaultPlaybackRate = speed;
    video.playbackRate = speed;
    if (speedSelect) { speedSelect.value = String(speed); }
    if (!quiet) {
      announce(fill(M.speed, { speed: String(speed) }));
      savePreference("playback_speed", speed);
    }
  }
  function stepSpeed(direction) {
    var current = video.playbackRate;
    var next = direction > 0 ? SPEEDS.find(function (s) { return s > current + 0.01; })
      : SPEEDS.slice().reverse().find(function (s) { return s < current - 0.01; });
    setSpeed(next === undefined ? current : next);
  }
  setSpeed(parseFloat(P.root.getAttribute("data-playback-speed")) || 1, true);
  video.addEventListener("loadedmetadata", function () {
    video.playbackRate = video.defaultPlaybackRate;
    P.showTime();
  });
  if (speedSelect) {
    speedSelect.addEventListener("change", function () { setSpeed(parseFloat(speedSelect.value)); });
  }

  /* Caption style: applied at once, saved in the learner's preferences. */
  var style = P.root.querySelector("[data-caption-style]");
  if (style) {
    style.addEventListener("change", function (event) {
      var select = event.target;
      var prefix = select.getAttribute("data-class-prefix");
      if (!prefix) { return; }
      Array.prototype.slice.call(document.body.classList).forEach(function (name) {
        if (name.indexOf(prefix) === 0) { document.body.classList.remove(name); }
      });
      document.body.classList.add(prefix + select.value);
      var form = new FormData();
      form.append(select.name, select.value);
      post(preferencesUrl, form).then(function (response) {
        if (response.ok) { announce(M.style_saved); }
        else { response.text().then(announce); }
      }).catch(function () { announce(offlineText()); });
    });
  }

  return {
    captionsShowing: captionsShowing,
    lastCaption: lastCaption,
    setCaptions: setCaptions,
    setSpeed: setSpeed,
    stepSpeed: stepSpeed
  };
}
