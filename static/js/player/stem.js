/* Accessible Learning player: the description stem, mixed in the browser (issue 26; MAUR DV-6,
   DV-9, CA-1 to CA-3). Owns the stem's <audio> element (the descriptions alone, Ogg Opus, the
   lesson's length) and the Web Audio graph that mixes it with the original video's own sound:
   the programme is lowered by the author's depth (-12 dB, as the mixed file) with 0.25 s ramps,
   linear in decibels, while each description is spoken, under the learner's programme volume;
   the descriptions play at the learner's description volume. Both sliders apply at once
   (GainNodes), are announced and saved in the preferences.
   The stem follows the video: play, pause, waiting, seeking and rate (pitch kept, like the
   video's); a drift over 0.1 s is corrected by re-seeking the stem. The AudioContext is made
   when the described audio is first chosen; a context made before any press starts suspended
   (Chromium's autoplay policy), so it is resumed on the play press and on any key or pointer
   press in the player. Once the video's sound runs through the graph it always does: off the
   described mode both gains are 1 and the stem is paused. descriptions.js asks it whether it
   can run (no Web Audio: the player plays the mixed file, as before) and turns it on and off;
   it must not change the video's source, position or play state. */

import { clamp, fill, savePreference } from "./util.js";

var RAMP_S = 0.25;  // media_pipeline.mix.RAMP_S
var DUCK_DB = -12;  // media_pipeline.mix.DUCK_DB
var DRIFT_S = 0.1;
var AHEAD_S = 30;  // duck breakpoints scheduled ahead, in lesson seconds

export function stemSupported() { return !!(window.AudioContext || window.webkitAudioContext); }

export function setUpStem(root, video, M) {
  var url = root.getAttribute("data-src-stem");
  var windows = JSON.parse(root.getAttribute("data-duck") || "[]");
  var panel = root.querySelector("[data-stem-volumes]");
  var sliders = {};
  root.querySelectorAll("[data-stem-volume]").forEach(function (slider) {
    sliders[slider.getAttribute("data-stem-volume")] = slider;
  });
  var ctx = null;
  var audio = null;
  var duck = null;
  var gains = {};
  var active = false;

  function level(name) {
    var slider = sliders[name];
    return slider ? clamp(parseInt(slider.value, 10) || 0, 0, 100) / 100 : 1;
  }
  // How far down the programme is at lesson time t: 0 outside the windows, 1 inside, linear
  // ramps either side (as media_pipeline.mix.duck_expression), as a gain.
  function duckAt(t) {
    var k = 0;
    windows.forEach(function (w) {
      k += clamp(Math.min((t - (w[0] - RAMP_S)) / RAMP_S, (w[1] + RAMP_S - t) / RAMP_S), 0, 1);
    });
    return Math.pow(10, DUCK_DB / 20 * clamp(k, 0, 1));
  }
  function schedule() {
    if (!ctx) { return; }
    var gain = duck.gain;
    var now = ctx.currentTime;
    var t = video.currentTime;
    gain.cancelScheduledValues(now);
    gain.setValueAtTime(active ? duckAt(t) : 1, now);
    if (!active || video.paused) { return; }
    var rate = video.playbackRate || 1;
    var points = [];
    windows.forEach(function (w) {
      [w[0] - RAMP_S, w[0], w[1], w[1] + RAMP_S].forEach(function (p) {
        if (p > t && p < t + AHEAD_S) { points.push(p); }
      });
    });
    points.sort(function (a, b) { return a - b; });
    points.forEach(function (p) {
      gain.exponentialRampToValueAtTime(duckAt(p), now + (p - t) / rate);
    });
  }
  function follow(force) {
    if (!audio || !active) { return; }
    if (force || (!audio.seeking && Math.abs(audio.currentTime - video.currentTime) > DRIFT_S)) {
      audio.currentTime = video.currentTime;
    }
  }
  function play() {
    if (!active || !audio) { return; }
    follow(true);
    var started = audio.play();
    if (started && started.catch) { started.catch(function () { /* interrupted */ }); }
  }
  function resume() {
    if (ctx && ctx.state !== "running") { ctx.resume(); }
  }
  function build() {
    var Context = window.AudioContext || window.webkitAudioContext;
    ctx = new Context();
    audio = document.createElement("audio");
    audio.preload = "auto";
    audio.hidden = true;
    audio.setAttribute("data-stem", "");
    audio.src = url;
    audio.preservesPitch = true;
    (root.querySelector("[data-screen]") || root).appendChild(audio);
    duck = ctx.createGain();
    gains.programme = ctx.createGain();
    gains.description = ctx.createGain();
    ctx.createMediaElementSource(video).connect(duck).connect(gains.programme)
      .connect(ctx.destination);
    ctx.createMediaElementSource(audio).connect(gains.description).connect(ctx.destination);
    // What plays, for whoever inspects the page (the browser tests): the context's state as an
    // attribute, the graph's nodes as a property.
    audio.setAttribute("data-context", ctx.state);
    ctx.addEventListener("statechange", function () { audio.setAttribute("data-context", ctx.state); });
    audio.mix = { context: ctx, duck: duck, gains: gains };
    audio.volume = video.volume;
    audio.muted = video.muted;
    video.addEventListener("play", function () { resume(); play(); schedule(); });
    video.addEventListener("playing", function () { play(); schedule(); });
    ["pause", "waiting", "ended"].forEach(function (name) {
      video.addEventListener(name, function () { audio.pause(); schedule(); });
    });
    video.addEventListener("seeking", function () { follow(true); });
    video.addEventListener("seeked", function () { follow(true); schedule(); });
    video.addEventListener("ratechange", function () {
      audio.defaultPlaybackRate = video.playbackRate;
      audio.playbackRate = video.playbackRate;
      schedule();
    });
    video.addEventListener("timeupdate", function () {
      if (video.paused) { return; }
      if (active && audio.paused && !audio.ended) { play(); }  // a refused play() again
      else { follow(false); }
      schedule();
    });
    video.addEventListener("volumechange", function () {
      audio.volume = video.volume;
      audio.muted = video.muted;
    });
    root.addEventListener("keydown", resume);
    root.addEventListener("pointerdown", resume);
  }
  function apply(name) {
    if (!ctx) { return; }
    gains[name].gain.setTargetAtTime(active ? level(name) : 1, ctx.currentTime, 0.02);
  }
  Object.keys(sliders).forEach(function (name) {
    var slider = sliders[name];
    slider.addEventListener("input", function () {
      slider.setAttribute("aria-valuetext", slider.value + "%");
      apply(name);
    });
    slider.addEventListener("change", function () {
      savePreference(root.getAttribute("data-preferences-url"), slider.name, slider.value,
        fill(M[name + "_volume_saved"], { value: slider.value }));
    });
  });

  return {
    // The described mode plays the original video with the stem (on), or not (off).
    activate: function (on) {
      if (on && !ctx) { build(); }
      active = on;
      if (panel) { panel.hidden = !on; }
      if (!ctx) { return; }
      audio.defaultPlaybackRate = video.playbackRate;
      audio.playbackRate = video.playbackRate;
      apply("programme");
      apply("description");
      if (on && !video.paused) { resume(); play(); }
      if (!on) { audio.pause(); }
      schedule();
    },
    state: function () { return ctx ? ctx.state : "none"; }
  };
}
