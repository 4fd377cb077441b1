/* Accessible Learning: the lesson player's core, loaded as an ES module by the lesson page.
   Owns the video and its own controls (play, seek, time, volume, mute, full screen), the
   keyboard shortcuts, the help dialog, moving to the next or previous lesson, and the one table
   of actions that buttons, shortcuts and voice commands all run. Each feature lives in its own
   module and gets the shared context P: source.js (what the video plays), preferences.js,
   transcript.js, descriptions.js, chapters.js, progress.js, voice.js and ask.js (the question
   when a voice command is unsure). It must not hold a feature's state itself. Without
   scripts the page keeps a plain <video controls> with its tracks, and the transcript. */

import { setUpChapters } from "./chapters.js";
import { setUpDescriptions } from "./descriptions.js";
import { setUpPreferences } from "./preferences.js";
import { setUpProgress } from "./progress.js";
import { setUpSign } from "./sign.js";
import { setUpSource } from "./source.js";
import { setUpTranscript } from "./transcript.js";
import { announce, clamp, fill, lessonStart, playVideo } from "./util.js";
import { VoiceQuestion } from "./ask.js";
import { VoiceInput } from "./voice.js";

// Whole seconds, the same for the time shown and the time the slider speaks (16.6 s is 0:17 in
// both, never "0:16" beside "17 seconds").
function whole(t) { return Math.max(0, Math.round(t)); }

function clock(t) {
  t = whole(t);
  var h = Math.floor(t / 3600);
  var m = Math.floor((t % 3600) / 60);
  var s = t % 60;
  var mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
}

function setUpPlayer(root) {
  var video = root.querySelector("video");
  var controls = root.querySelector("[data-controls]");
  if (!video || !controls) { return; }
  var M = JSON.parse(root.getAttribute("data-messages") || "{}");
  var shortcuts = JSON.parse(root.getAttribute("data-shortcuts") || "{}");
  var screen = root.querySelector("[data-screen]");
  var seekSlider = root.querySelector("[data-seek-slider]");
  var volume = root.querySelector("[data-volume]");
  var timeText = root.querySelector("[data-time]");
  var help = root.querySelector("dialog.player-help");
  var title = root.getAttribute("data-title") || "";
  var knownDuration = parseFloat(root.getAttribute("data-duration")) || 0;
  var dragging = false;

  video.controls = false;
  video.preservesPitch = true;
  var media = setUpSource(root, video, M);

  // The context every feature module gets.
  var P = {
    root: root, video: video, M: M, area: root.closest("[data-lesson-player]") || root,
    described: root.hasAttribute("data-described-player") ? setUpDescriptions(root, video, M, media)
      : null,
    button: function (action) { return root.querySelector("[data-action='" + action + "']"); },
    press: function (action, on) {
      var b = P.button(action);
      if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
    },
    now: function () { return P.described ? P.described.lessonTime() : video.currentTime; },
    duration: function () { return knownDuration || video.duration || 0; },
    seek: function (t) {
      t = clamp(t, 0, Math.max(0, P.duration() - 0.1));
      if (P.described && P.described.seekWhileLoading(t)) { return; }
      video.currentTime = P.described ? P.described.fileTime(t) : t;
      P.showTime(t);
    },
    spoken: function (t) {
      t = whole(t);
      var m = Math.floor(t / 60);
      var s = t % 60;
      var parts = [];
      if (m) { parts.push(fill(m === 1 ? M.minute_one : M.minute_other, { n: m })); }
      if (s || !m) { parts.push(fill(s === 1 ? M.second_one : M.second_other, { n: s })); }
      return parts.join(" ");
    },
    showTime: function (t) {
      if (t === undefined) { t = P.now(); }
      var length = P.duration();
      if (timeText) { timeText.textContent = clock(t) + " / " + clock(length); }
      if (seekSlider && !dragging) {
        seekSlider.max = String(whole(length));
        seekSlider.value = String(whole(t));
        seekSlider.setAttribute("aria-valuetext",
          fill(M.time_of, { position: P.spoken(t), duration: P.spoken(length) }));
      }
    }
  };
  var described = P.described;
  var prefs = setUpPreferences(P);
  var progress = setUpProgress(P, function () {
    var on = [];
    if (prefs.captionsShowing()) { on.push("captions"); }
    if (described && described.isOn()) { on.push("descriptions"); }
    return on;
  });
  var transcript = setUpTranscript(P);
  var chapters = setUpChapters(P);
  video.addEventListener("timeupdate", function () { P.showTime(P.now()); });

  /* Play and pause */
  var playButton = P.button("play");
  function syncPlay() {
    if (!playButton) { return; }
    playButton.textContent = playButton.getAttribute(video.paused ? "data-play-text" : "data-pause-text");
  }
  video.addEventListener("play", syncPlay);
  video.addEventListener("pause", syncPlay);
  video.addEventListener("click", function () { run("play_pause"); });

  /* Full screen: the player's screen, so that our controls and captions stay. */
  document.addEventListener("fullscreenchange", function () {
    var on = document.fullscreenElement === screen;
    P.press("fullscreen", on);
    announce(on ? M.fullscreen_on : M.fullscreen_off);
  });

  function navigate(which) {
    var url = root.getAttribute("data-" + which + "-url");
    if (!url) { announce(which === "next" ? M.no_next : M.no_previous); return; }
    announce(fill(which === "next" ? M.next_lesson : M.previous_lesson,
      { title: root.getAttribute("data-" + which + "-title") }));
    window.setTimeout(function () { window.location.assign(url); }, 1200);
  }
  function openHelp() {
    if (!help || help.open) { return; }
    var opener = document.activeElement;
    help.addEventListener("close", function restoreFocus() {
      help.removeEventListener("close", restoreFocus);
      if (opener && opener.focus) { opener.focus(); }
    });
    help.showModal();
    var heading = help.querySelector("h2");
    if (heading) { heading.focus(); }
  }
  function describedOr(what) {
    return function () {
      if (!described) { announce(M.no_descriptions); return; }
      described.on(what(described));
    };
  }

  var voice = VoiceInput(root, M, function (result) { onVoice(result); });
  var actions = {
    play_pause: function () { return video.paused ? actions.play() : actions.pause(); },
    play: function () { playVideo(video); announce(M.play); },
    pause: function () { video.pause(); announce(M.pause); },
    back: function (args) {
      var n = (args && args.seconds) || 10;
      P.seek(P.now() - n);
      announce(fill(M.back, { seconds: n }));
    },
    forward: function (args) {
      var n = (args && args.seconds) || 10;
      P.seek(P.now() + n);
      announce(fill(M.forward, { seconds: n }));
    },
    faster: function () { prefs.stepSpeed(1); },
    slower: function () { prefs.stepSpeed(-1); },
    normal_speed: function () { prefs.setSpeed(1); },
    mute: function () {
      video.muted = !video.muted;
      P.press("mute", video.muted);
      announce(video.muted ? M.mute : M.unmute);
    },
    captions: function () { prefs.setCaptions(!prefs.captionsShowing()); },
    captions_on: function () { prefs.setCaptions(true); },
    captions_off: function () { prefs.setCaptions(false); },
    descriptions: describedOr(function (d) { return !d.isOn(); }),
    descriptions_on: describedOr(function () { return true; }),
    descriptions_off: describedOr(function () { return false; }),
    transcript: function (args, source) { transcript.toggle(source === "voice"); },
    repeat: function () {
      var cue = prefs.lastCaption();
      if (!cue) { announce(M.nothing_to_repeat); return; }
      P.seek(lessonStart(cue));
      playVideo(video);
      announce(fill(M.repeat, { text: cue.text.replace(/<[^>]*>/g, "") }));
    },
    where: function () {
      announce(fill(M.where, { position: P.spoken(P.now()), duration: P.spoken(P.duration()),
                               title: title }));
    },
    next_chapter: function () { chapters.next(); },
    previous_chapter: function () { chapters.previous(); },
    link: function () { progress.link(); },
    next_lesson: function () { navigate("next"); },
    previous_lesson: function () { navigate("previous"); },
    fullscreen: function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (screen && screen.requestFullscreen) { screen.requestFullscreen(); }
    },
    help: function (args, source) { openHelp(); if (source === "voice") { announce(M.voice_help); } },
    voice: function () { voice.toggle(); },
    hands_free: function () { voice.handsFree(); },
    audio_mode: function () { media.toggleAudio(); }
  };
  Object.assign(actions, setUpSign(P).actions);  // the sign-language video's (sign.js)
  function run(action, args, source) {
    if (actions[action]) { actions[action](args || {}, source || "button"); }
  }
  function onVoice(result) {
    if (!result || result.command === "none" || !actions[result.command]) {
      announce(fill(M.voice_not_understood, root.dataset.voiceExample ?
        JSON.parse(root.dataset.voiceExample) : { example: "", help: "" }));
      return;
    }
    if (!(result.decision === "ask" && question.ask(result))) { run(result.command, result.args, "voice"); }
  }
  var question = VoiceQuestion(root, M, voice, run);
  root.onVoiceResult = onVoice;

  controls.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (target) { run(target.getAttribute("data-action") === "play" ? "play_pause" : target.getAttribute("data-action")); }
  });
  P.area.addEventListener("keydown", function (event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
    var action = shortcuts[event.code];
    if (!action) { return; }
    event.preventDefault();
    run(action === "play" ? "play_pause" : action, {}, "key");
  });
  if (seekSlider) {
    seekSlider.addEventListener("pointerdown", function () { dragging = true; });
    seekSlider.addEventListener("pointerup", function () { dragging = false; });
    seekSlider.addEventListener("input", function () {
      P.seek(parseFloat(seekSlider.value));
      seekSlider.setAttribute("aria-valuetext",
        fill(M.time_of, { position: P.spoken(parseFloat(seekSlider.value)), duration: P.spoken(P.duration()) }));
    });
  }
  if (volume) {
    volume.addEventListener("input", function () {
      video.volume = parseInt(volume.value, 10) / 100;
      volume.setAttribute("aria-valuetext", volume.value + "%");
    });
  }
  P.showTime(0);
}

function start() { document.querySelectorAll("[data-player][data-messages]").forEach(setUpPlayer); }
// A module runs after the document is parsed, before DOMContentLoaded; either way, start once.
if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
else { start(); }
