/* Accessible Learning player: what the learner sets in the player and keeps. Owns captions on
   and off (the captions track) and where they are (over the video at the bottom or the top, or
   below it: then the track is hidden and its active cues are written in a box of their own), the
   playback speed and the caption style, each applied at once, announced, and saved in the
   learner's preferences. It must not seek or play; the core calls it for the captions, speed
   and style actions. */

import { announce, clamp, fill, lessonStart, post, savePreference as saveAndSay } from "./util.js";

export var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5];

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

  /* Captions: one track a language (the lesson's own and its translations); the learner's
     language is the one shown, the others stay disabled. */
  var languageSelect = P.root.querySelector("[data-caption-language]");
  var chosenLanguage = languageSelect ? languageSelect.value : null;
  function captionTracks() {
    var found = [];
    for (var i = 0; i < video.textTracks.length; i++) {
      var t = video.textTracks[i];
      if (t.kind === "captions" || t.kind === "subtitles") { found.push(t); }
    }
    return found;
  }
  function captionsTrack() {
    var all = captionTracks();
    for (var i = 0; i < all.length; i++) {
      if (all[i].language === chosenLanguage) { return all[i]; }
    }
    return all[0] || null;
  }
  function position() {
    var found = /(?:^|\s)cue-pos-(\w+)/.exec(document.body.className);
    return found ? found[1] : "bottom";
  }
  var below = P.root.querySelector("[data-captions-below]");
  var belowText = below && below.querySelector(".captions-below-text");
  function showBelow() {
    var t = captionsTrack();
    if (!belowText || !t) { return; }
    var texts = [];
    var cues = t.activeCues || [];
    for (var i = 0; i < cues.length; i++) {
      // The text as shown (entities decoded, <v Speaker> and other tags left out).
      texts.push(cues[i].getCueAsHTML ? cues[i].getCueAsHTML().textContent : cues[i].text);
    }
    belowText.textContent = texts.join("\n");
  }
  // Where the captions are: a cue that sets its own line keeps it; the others go to the top
  // line when the learner chose the top, and back to their place otherwise.
  function layout() {
    var t = captionsTrack();
    if (!t) { return; }
    var where = position();
    var on = t.mode !== "disabled";
    if (on) { t.mode = where === "below" ? "hidden" : "showing"; }
    if (below) { below.hidden = !(on && where === "below"); }
    var cues = t.cues || [];
    for (var i = 0; i < cues.length; i++) {
      var cue = cues[i];
      if (where === "top" && cue.line === "auto") { cue.line = 0; cue.movedToTop = true; }
      else if (where !== "top" && cue.movedToTop) { cue.line = "auto"; cue.movedToTop = false; }
    }
    showBelow();
  }
  function setCaptions(on) {
    var t = captionsTrack();
    if (!t) { announce(M.no_captions); return; }
    t.mode = on ? "showing" : "disabled";
    layout();
    P.press("captions", on);
    announce(on ? M.captions_on : M.captions_off);
    savePreference("captions_on", on);
  }
  // Another language: its track takes the place (and the on or off) of the one shown.
  function setCaptionLanguage(language) {
    var on = captionsShowing();
    chosenLanguage = language;
    captionTracks().forEach(function (t) {
      if (t !== captionsTrack()) { t.mode = "disabled"; }
    });
    var t = captionsTrack();
    if (on) { t.mode = "showing"; }
    if (belowText) { belowText.setAttribute("lang", t.language); }
    layout();
    var option = languageSelect && languageSelect.selectedOptions[0];
    saveAndSay(preferencesUrl, "caption_language", language,
               fill(M.caption_language, { language: option ? option.textContent : language }));
  }
  if (languageSelect) {
    languageSelect.addEventListener("change", function () {
      setCaptionLanguage(languageSelect.value);
    });
  }
  function captionsShowing() {
    var t = captionsTrack();
    return !!(t && t.mode !== "disabled");
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
    captionTracks().forEach(function (t) {
      t.mode = wanted && t === initialCaptions ? "showing" : "disabled";
      t.addEventListener("cuechange", function () { if (t === captionsTrack()) { showBelow(); } });
    });
    P.root.querySelectorAll("track[kind='captions']").forEach(function (element) {
      element.addEventListener("load", layout);  // cues loaded later
    });
    layout();
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
      if (select.name === "caption_position") { layout(); }
      saveAndSay(preferencesUrl, select.name, select.value, M.style_saved);
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
