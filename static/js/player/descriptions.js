/* Accessible Learning player: audio description. Owns the description modes (off, the
   described and extended versions, which are other files: switching keeps the place, mapped
   through the extended version's pauses; the captions and chapters tracks are retimed the same
   way, so that they follow the version that plays) and text descriptions from the descriptions
   track, spoken by the browser (at the learner's rate) or sent to the screen reader; a text
   description longer than its pause pauses the video and goes on by itself, waits for Play,
   plays over the programme or is left out, as the learner chose (saved in the preferences).
   It must not touch the player's controls other than its own radio buttons and lists; the core
   asks it for the lesson time and the file time.
   Where the version has a description stem and the browser has Web Audio, the described audio
   is the original file with the stem mixed in by stem.js (no other file to load: the place
   stays as it is); otherwise it is the mixed file, as before the stem. The lesson's own
   version is loaded by source.js (renditions, audio only or the original file). */

import { setUpStem, stemSupported } from "./stem.js";
import { announce, fill, playVideo, savePreference } from "./util.js";

export function setUpDescriptions(root, video, M, source) {
  var messages = root.querySelector("[data-description-messages]");
  var pauses = JSON.parse(root.getAttribute("data-pauses") || "[]");
  var lang = root.getAttribute("data-lang") || "";
  var sources = {
    off: root.getAttribute("data-src-original"),
    described: root.getAttribute("data-src-described"),
    extended: root.getAttribute("data-src-extended")
  };
  var current = "off";
  var stem = root.hasAttribute("data-src-stem") && stemSupported() ? setUpStem(root, video, M)
    : null;
  // Turning description on chooses this (the server passes over described audio that
  // lacks descriptions).
  var lastOn = root.getAttribute("data-description-on") || "described";
  var pausedForDescription = false;
  var overflowSelect = root.querySelector("[data-description-overflow]");
  var rateSelect = root.querySelector("[data-description-rate]");
  [overflowSelect, rateSelect].forEach(function (select) {
    if (!select) { return; }
    select.addEventListener("change", function () {
      savePreference(root.getAttribute("data-preferences-url"), select.name, select.value,
        fill(M.reading_saved, { choice: select.options[select.selectedIndex].textContent }));
    });
  });
  var pending = null;  // the lesson position while another file loads
  var restore = null;  // puts the position back once it has
  var playAfter = false;  // and whether to go on playing then

  function toExtended(t) {
    var shift = 0;
    pauses.forEach(function (p) { if (p.at <= t) { shift += p.length; } });
    return t + shift;
  }
  // A cue's end moves by the pauses before it: one ending where a pause starts ends before it.
  function endInExtended(t) {
    var shift = 0;
    pauses.forEach(function (p) { if (p.at < t) { shift += p.length; } });
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
  /* Captions and chapters are timed for the lesson (the original and the described audio); in
     the extended version each cue keeps its lesson times (lessonStart, lessonEnd) and plays at
     the file's. Tracks that load later (captions turned on) are retimed when they load. */
  function retime() {
    var extended = fileMode(current) === "extended";
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.kind === "descriptions" || !track.cues) { continue; }
      // A copy: the track's list reorders itself as start times change.
      var cues = Array.prototype.slice.call(track.cues);
      for (var j = 0; j < cues.length; j++) {
        var cue = cues[j];
        if (cue.lessonStart === undefined) {
          cue.lessonStart = cue.startTime;
          cue.lessonEnd = cue.endTime;
        }
        var start = extended ? toExtended(cue.lessonStart) : cue.lessonStart;
        var end = extended ? endInExtended(cue.lessonEnd) : cue.lessonEnd;
        if (start > cue.endTime) { cue.endTime = end; cue.startTime = start; }
        else { cue.startTime = start; cue.endTime = end; }
      }
    }
  }
  root.querySelectorAll("track").forEach(function (element) {
    element.addEventListener("load", retime);
  });
  function resume() {
    if (pausedForDescription) { pausedForDescription = false; playVideo(video); }
  }
  function onCue() {
    if (current !== "speech" && current !== "screen-reader") { return; }
    var track = descriptionsTrack();
    var cues = track && track.activeCues;
    if (!cues) { return; }
    // Descriptions that start together are read as one, so that none is cut off.
    var texts = [];
    var extended = false;
    var overflow = overflowSelect ? overflowSelect.value : "pause";
    for (var i = 0; i < cues.length; i++) {
      var cue = cues[i];
      if (cue.spoken) { continue; }
      cue.spoken = true;
      var long = /extended$/.test(cue.id || "");
      if (long && overflow === "skip") { continue; }  // longer than its pause: left out
      extended = extended || long;
      texts.push(cue.text.replace(/<[^>]*>/g, "").replace(/\s+/g, " "));
    }
    if (!texts.length) { return; }
    var text = texts.join(" ");
    var waits = extended && overflow !== "continue";
    if (waits && !video.paused) {
      video.pause();
      pausedForDescription = overflow === "pause";  // "wait": only Play goes on
    }
    if (current === "speech" && window.speechSynthesis) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      utterance.rate = rateSelect ? parseFloat(rateSelect.value) || 1 : 1;
      utterance.onend = resume;
      utterance.onerror = resume;
      window.speechSynthesis.speak(utterance);
      if (waits && overflow === "wait") { announce(M.press_play); }
    } else if (waits && overflow === "wait") {
      announce(text + " " + M.press_play);
    } else {
      announce(text);
      // The screen reader does not say when it has finished: its reading time is estimated.
      if (waits) { window.setTimeout(resume, Math.max(2000, text.length * 120)); }
    }
  }
  function fileMode(mode) {
    if (mode === "described" && stem) { return "off"; }  // the original, with the stem
    return (mode === "described" || mode === "extended") ? mode : "off";
  }
  function lessonTime() {
    if (pending !== null) { return pending; }
    return current === "extended" ? fromExtended(video.currentTime) : video.currentTime;
  }
  function fileTime(t) { return current === "extended" ? toExtended(t) : t; }
  function choose(mode, quiet) {
    var position = lessonTime();
    var wasPlaying = pending !== null ? playAfter : !video.paused;
    var newFile = fileMode(mode);
    var currentFile = fileMode(current);
    current = mode;
    if (mode !== "off") { lastOn = mode; }
    var track = descriptionsTrack();
    if (track) {
      track.mode = (mode === "speech" || mode === "screen-reader") ? "hidden" : "disabled";
      if (track.cues) { for (var i = 0; i < track.cues.length; i++) { track.cues[i].spoken = false; } }
    }
    if (window.speechSynthesis && mode !== "speech") { window.speechSynthesis.cancel(); }
    if (stem) { stem.activate(mode === "described"); }
    if (newFile !== currentFile && sources[newFile]) {
      pending = position;
      playAfter = wasPlaying;
      if (restore) { video.removeEventListener("loadedmetadata", restore); }
      restore = function () {
        video.removeEventListener("loadedmetadata", restore);
        restore = null;
        retime();
        video.currentTime = newFile === "extended" ? toExtended(pending) : pending;
        pending = null;
        if (playAfter) { playVideo(video); }
      };
      video.addEventListener("loadedmetadata", restore);
      // The lesson's own is whatever source.js plays (a rendition, audio only, the file).
      if (newFile === "off") { source.main(); } else { source.file(sources[newFile]); }
    }
    var label = root.querySelector("label[for='description-mode-" + mode + "']");
    if (!quiet && messages && label) {
      announce((messages.getAttribute("data-on-text") || "{mode}").replace("{mode}", label.textContent));
    }
  }
  function select(mode) {
    var radio = root.querySelector("input[name='description-mode'][value='" + mode + "']");
    if (radio) { radio.checked = true; }
    choose(mode);
  }
  var track = descriptionsTrack();
  if (track) {
    track.mode = "disabled";
    track.addEventListener("cuechange", onCue);
    // Going back to before a description reads it again; those already passed stay read.
    video.addEventListener("seeking", function () {
      var cues = track.cues || [];
      for (var i = 0; i < cues.length; i++) { cues[i].spoken = cues[i].endTime < video.currentTime; }
    });
  }
  root.querySelectorAll("input[name='description-mode']").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { choose(radio.value); } });
  });
  var checked = root.querySelector("input[name='description-mode']:checked");
  if (checked && checked.value !== "off") { choose(checked.value, true); }
  return {
    lessonTime: lessonTime,
    fileTime: fileTime,
    loading: function () { return pending !== null; },
    on: function (on) { select(on ? lastOn : "off"); },
    isOn: function () { return current !== "off"; },
    seekWhileLoading: function (t) { if (pending !== null) { pending = t; return true; } return false; }
  };
}
