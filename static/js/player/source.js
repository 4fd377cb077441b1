/* Accessible Learning player: what the video element plays (issue 29). Owns the lesson's main
   source: its HLS renditions through hls.js (vendored, loaded only for a lesson that has them)
   or the browser's own HLS, the learner's fixed quality or "automatic" (adaptive bitrate), the
   audio-only version ("audio and text"), or the original file. descriptions.js asks it for the
   main source, or to play a file of its own (the extended version), through `main` and `file`.
   Captions, chapters and descriptions are tracks of the video element and share the lesson's
   timeline, so they follow whichever of these plays. It must not decide what a description
   mode plays. */

import { fill, playVideo, savePreference } from "./util.js";

var MIME_HLS = "application/vnd.apple.mpegurl";

export function setUpSource(root, video, M) {
  var hlsUrl = root.getAttribute("data-src-hls");
  var audioUrl = root.getAttribute("data-src-audio");
  var fileUrl = root.getAttribute("data-src-file") || video.getAttribute("src");
  var scriptUrl = root.getAttribute("data-hls-script");
  var prefsUrl = root.getAttribute("data-preferences-url");
  var quality = root.getAttribute("data-quality") || "auto";
  var audioMode = root.hasAttribute("data-audio-mode");
  var select = root.querySelector("[data-quality-select]");
  var audioButton = root.querySelector("[data-action='audio_mode']");
  var hls = null;
  var library = null;
  var onMain = true;

  function levelFor(levels, name) {
    var height = parseInt(name, 10);
    var best = -1;
    for (var i = 0; i < levels.length; i++) {
      if (levels[i].height <= height && (best < 0 || levels[i].height > levels[best].height)) { best = i; }
    }
    if (best < 0) {  // nothing as small: the smallest there is
      for (var j = 0; j < levels.length; j++) { if (best < 0 || levels[j].height < levels[best].height) { best = j; } }
    }
    return best;
  }
  function loadLibrary() {
    if (!library) { library = import(scriptUrl).then(function (module) { return module.default; }); }
    return library;
  }
  function detach() {
    if (hls) { hls.destroy(); hls = null; }
  }
  // Loads a source and keeps the lesson's position and whether it was playing.
  function keepPlace(load) {
    var position = video.currentTime;
    var playing = !video.paused;
    var started = video.readyState > 0 && position > 0;
    function restore() {
      video.removeEventListener("loadedmetadata", restore);
      if (started) { video.currentTime = position; }
      if (playing) { playVideo(video); }
    }
    video.addEventListener("loadedmetadata", restore);
    load();
  }
  function plain(url) {
    detach();
    video.src = url;  // before preload: a preload raised while the old source is set fetches it
    video.preload = "metadata";
    video.load();
  }
  function useHls() {
    if (!hlsUrl || quality === "original") { return false; }
    return !!(window.MediaSource || window.ManagedMediaSource || video.canPlayType(MIME_HLS));
  }
  // On opening the page hls.js loads the playlists and one rendition's first segment only, then
  // waits until the learner plays or seeks (as preload="metadata" does for a file): the player
  // has the lesson's length and first picture, and a learner who only reads the page spends
  // one short segment of the smallest picture hls.js starts with.
  function attachHls(lazy) {
    if (!(window.MediaSource || window.ManagedMediaSource)) {
      plain(hlsUrl);  // the browser's own HLS (Safari on an older iPhone): it adapts by itself
      return;
    }
    loadLibrary().then(function (Hls) {
      if (!onMain || audioMode || !useHls()) { return; }
      detach();
      // "Automatic" starts with the smallest picture and climbs as the segments show the
      // connection is fast enough (no bandwidth test of hls.js's own: a segment loaded only to
      // be thrown away).
      var current = hls = new Hls({ enableWorker: false, capLevelToPlayerSize: false,
                                    startLevel: 0, testBandwidth: false,
                                    maxBufferLength: 30, backBufferLength: 60 });
      if (lazy && video.paused) {
        var resume = function () {
          video.removeEventListener("play", resume);
          video.removeEventListener("seeking", resume);
          if (hls === current) { current.resumeBuffering(); }
        };
        // Paused as the first media segment starts loading: nothing comes after it.
        var first = function (event, data) {
          if (data.frag.sn === "initSegment") { return; }
          current.off(Hls.Events.FRAG_LOADING, first);
          if (hls === current && video.paused && !video.seeking) { current.pauseBuffering(); }
        };
        hls.on(Hls.Events.FRAG_LOADING, first);
        video.addEventListener("play", resume);
        video.addEventListener("seeking", resume);
      }
      hls.on(Hls.Events.MANIFEST_PARSED, function () {
        if (quality !== "auto") { hls.loadLevel = levelFor(hls.levels, quality); }
      });
      hls.on(Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) { return; }
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR) { hls.startLoad(); return; }
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) { hls.recoverMediaError(); return; }
        keepPlace(function () { plain(fileUrl); });  // the original still plays
      });
      hls.loadSource(hlsUrl);
      hls.attachMedia(video);
    }).catch(function () { if (onMain) { keepPlace(function () { plain(fileUrl); }); } });
  }
  function main(lazy) {
    onMain = true;
    if (audioMode && audioUrl) { plain(audioUrl); }
    else if (useHls()) { detach(); attachHls(lazy === true); }
    else { plain(fileUrl); }
  }
  function setQuality(value, label) {
    var wasHls = !!hls;
    quality = value;
    savePreference(prefsUrl, "video_quality", value, fill(M.quality, { quality: label }));
    if (!onMain || audioMode) { return; }
    if (hls && value !== "original") {
      // Between renditions hls.js switches at the next segment, without reloading.
      hls.nextLevel = value === "auto" ? -1 : levelFor(hls.levels, value);
      if (value === "auto") { hls.loadLevel = -1; }
      return;
    }
    if (wasHls || value === "original" || useHls()) { keepPlace(function () { main(false); }); }
  }
  function setAudioMode(on) {
    audioMode = on;
    root.classList.toggle("audio-mode", on);
    if (audioButton) { audioButton.setAttribute("aria-pressed", on ? "true" : "false"); }
    savePreference(prefsUrl, "audio_mode", on ? "true" : "false",
      on ? M.audio_mode_on : M.audio_mode_off);
    if (onMain) { keepPlace(function () { main(false); }); }
  }

  if (select) {
    select.addEventListener("change", function () {
      setQuality(select.value, select.options[select.selectedIndex].textContent);
    });
  }
  function start() {
    root.classList.toggle("audio-mode", audioMode && !!audioUrl);
    if (audioButton) { audioButton.setAttribute("aria-pressed", audioMode ? "true" : "false"); }
    if (audioMode || useHls()) { main(true); }
    else if (video.preload === "none") { video.preload = "metadata"; }  // the file, as before
  }
  // A lesson saved on this device (offline.js) plays what was saved, with or without a
  // connection: the audio only, or the one rendition its stored playlist names.
  var metaUrl = root.getAttribute("data-offline-meta");
  if (metaUrl && window.caches && window.isSecureContext) {
    window.caches.match(metaUrl).then(function (r) { return r ? r.json() : null; }).then(function (meta) {
      if (meta && meta.choice === "audio" && audioUrl) { audioMode = true; }
      else if (meta && hlsUrl) { audioMode = false; quality = "auto"; }
    }).catch(function () {}).then(start);
  } else {
    start();
  }

  return {
    main: function () { main(false); },  // the caller keeps the place (descriptions.js maps it through the pauses)
    file: function (url) { onMain = false; plain(url); },
    toggleAudio: function () { if (audioUrl) { setAudioMode(!audioMode); } }
  };
}
