/* Accessible Learning: a live class's page (issue 28). Owns playing the class's HLS stream
   (hls.js, vendored, or the browser's own HLS), its controls (play and pause, back 10 seconds
   within the live window, back to live, captions on the video), and the live captions from the
   server's events (Server-Sent Events): the words being spoken under the video and in the
   transcript, and each finished line added to the transcript, which is read out only when the
   learner asks for it. It waits for a class that has not started, says when the teacher's
   stream stops and comes back, and when the class ends; spoken commands and questions are
   live-voice.js's, through the same controls. It must not decide anything the server decides
   (who may watch, what was said). */

import { LiveVoice } from "./live-voice.js";
import { announce } from "./player/util.js";

var MIME_HLS = "application/vnd.apple.mpegurl";
var RETRY_MS = 4000;

function setUp(root) {
  var texts = JSON.parse(document.getElementById("live-texts").textContent);
  var video = root.querySelector("[data-live-video]");
  var status = root.querySelector("[data-live-status]");
  var caption = root.querySelector("[data-live-caption]");
  var transcript = root.querySelector("[data-live-transcript]");
  var lines = root.querySelector("[data-live-lines]");
  var current = root.querySelector("[data-live-current]");
  var readOut = root.querySelector("[data-live-read-out]");
  var buttons = {};
  root.querySelectorAll("[data-live-action]").forEach(function (b) { buttons[b.getAttribute("data-live-action")] = b; });
  var hls = null;
  var openCue = { number: 0, text: "" };
  var partial = "";
  var ended = root.getAttribute("data-state") === "ended";
  var interrupted = root.getAttribute("data-state") === "interrupted";

  function say(text) { if (status.textContent !== text) { status.textContent = text; } }

  // -- captions --------------------------------------------------------------------------------
  function showCaption() {
    if (!caption) { return; }
    caption.textContent = "";
    if (!openCue.text && !partial) { return; }
    var box = document.createElement("span");
    box.className = "cue-sample";
    box.textContent = openCue.text;
    if (partial) {
      var more = document.createElement("span");
      more.className = "live-partial";
      more.textContent = (openCue.text ? " " : "") + partial;
      box.appendChild(more);
    }
    caption.appendChild(box);
  }
  function showCurrent() {
    current.textContent = [openCue.text.replace(/\n/g, " "), partial].filter(Boolean).join(" ");
  }
  function addLine(number, text) {
    if (lines.querySelector('[data-cue="' + number + '"]')) { return; }
    var item = document.createElement("li");
    item.setAttribute("data-cue", String(number));
    item.textContent = text.replace(/\n/g, " ");
    lines.appendChild(item);
    transcript.scrollTop = transcript.scrollHeight;
  }
  function onFinal(data) {
    if (data.closed) {
      addLine(data.cue, data.text);
      if (openCue.number === data.cue) { openCue = { number: 0, text: "" }; }
    } else {
      openCue = { number: data.cue, text: data.text };
    }
    showCaption();
    showCurrent();
  }
  function onPartial(data) {
    partial = data.text;
    showCaption();
    showCurrent();
  }
  if (readOut) {
    readOut.addEventListener("change", function () {
      transcript.setAttribute("aria-live", readOut.checked ? "polite" : "off");
    });
  }

  function follow() {
    var source = new EventSource(root.getAttribute("data-events"));
    source.addEventListener("correction", function (e) { correct(lines, JSON.parse(e.data)); });
    source.addEventListener("final", function (e) { onFinal(JSON.parse(e.data)); });
    source.addEventListener("partial", function (e) { onPartial(JSON.parse(e.data)); });
    source.addEventListener("state", function (e) {
      var state = JSON.parse(e.data).state;
      if (state === "ended") {
        source.close();
        finish();
      } else if (state === "interrupted") {
        interrupted = true;
        say(texts.interrupted);
      } else if (state === "live" && interrupted) {
        // The teacher streams again: the player loads the stream anew (hls.js may still be
        // waiting out the gap), and the learner is told.
        interrupted = false;
        if (hls) { hls.destroy(); hls = null; }
        load();
        say(texts.resumed);
      }
    });
    source.addEventListener("open", function () { if (!ended && hls === null && !video.src) { load(); } });
  }

  // -- the video -------------------------------------------------------------------------------
  function ready() {
    ["play", "back", "live"].forEach(function (name) { buttons[name].disabled = false; });
    if (!interrupted && status.textContent !== texts.resumed) { say(texts.live); }
  }
  function waitAndTry() {
    say(interrupted ? texts.interrupted : texts.waiting);
    window.setTimeout(load, RETRY_MS);
  }
  var library = null;
  function load() {
    if (ended || !video) { return; }
    var url = root.getAttribute("data-hls");
    if (!library) { library = import(root.getAttribute("data-hls-script")).then(function (m) { return m.default; }); }
    library.then(function (Hls) {
      if (!Hls.isSupported()) {
        if (video.canPlayType(MIME_HLS)) {
          // The browser's own HLS (Safari) gets the master playlist, with the captions as a
          // subtitle track of its own.
          var master = root.getAttribute("data-hls-native");
          fetch(master, { method: "HEAD", credentials: "same-origin" }).then(function (r) {
            if (r.ok) { video.src = master; ready(); } else { waitAndTry(); }
          }, waitAndTry);
        }
        return;
      }
      if (hls) { return; }
      var mine = hls = new Hls({ enableWorker: false, liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 8 });
      mine.on(Hls.Events.MANIFEST_PARSED, ready);
      mine.on(Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) { return; }
        mine.destroy();
        if (hls === mine) { hls = null; }
        if (!ended) { waitAndTry(); }
      });
      mine.loadSource(url);
      mine.attachMedia(video);
    });
  }
  function finish() {
    ended = true;
    if (hls) { hls.destroy(); hls = null; }
    if (readOut) { readOut.disabled = true; }
    Object.keys(buttons).forEach(function (name) { buttons[name].disabled = true; });
    if (openCue.text) { addLine(openCue.number, openCue.text); }
    openCue = { number: 0, text: "" };
    partial = "";
    showCaption();
    showCurrent();
    say(texts.ended);
  }
  // Back or forward within the live window (never past the newest moment).
  function seek(seconds) {
    var start = video.seekable.length ? video.seekable.start(0) : 0;
    video.currentTime = Math.min(liveEdge(), Math.max(start, video.currentTime + seconds));
    var behind = Math.round(liveEdge() - video.currentTime);
    say(behind > 1 ? texts.behind.replace("{seconds}", String(behind)) : texts.atLive);
  }
  function liveEdge() {
    if (hls && hls.liveSyncPosition) { return hls.liveSyncPosition; }
    return video.seekable.length ? video.seekable.end(video.seekable.length - 1) : video.currentTime;
  }

  if (video) {
    buttons.play.addEventListener("click", function () {
      if (video.paused) {
        var started = video.play();
        if (started && started.catch) { started.catch(function () {}); }
      } else {
        video.pause();
      }
    });
    video.addEventListener("play", function () { buttons.play.textContent = texts.pause; say(texts.playing); });
    video.addEventListener("pause", function () { buttons.play.textContent = texts.play; say(texts.paused); });
    buttons.back.addEventListener("click", function () { seek(-10); });
    buttons.live.addEventListener("click", function () {
      video.currentTime = liveEdge();
      if (video.paused) { video.play().catch(function () {}); }
      say(texts.atLive);
    });
    buttons.captions.addEventListener("click", function () {
      var on = buttons.captions.getAttribute("aria-pressed") !== "true";
      buttons.captions.setAttribute("aria-pressed", on ? "true" : "false");
      caption.hidden = !on;
      say(on ? texts.captionsOn : texts.captionsOff);
    });
  }
  // Attendance: while the class plays live, the page says every 30 s how long it played.
  var played = 0;
  var lastTick = null;
  if (video) {
    window.setInterval(function () {
      var now = Date.now();
      if (!video.paused && !ended && !interrupted && lastTick !== null) { played += (now - lastTick) / 1000; }
      lastTick = now;
      if (played >= 30) { report(); }
    }, 1000);
    window.addEventListener("pagehide", report);
  }
  function report() {
    if (played <= 0) { return; }
    var body = new FormData();
    body.append("seconds", String(Math.round(played)));
    body.append("csrf_token", csrfToken());
    played = 0;
    if (navigator.sendBeacon) { navigator.sendBeacon(root.getAttribute("data-attendance"), body); }
  }

  var ask = root.querySelector("[data-live-ask]");
  if (ask) {
    var askStatus = ask.querySelector("[data-live-ask-status]");
    ask.addEventListener("submit", function (event) {
      event.preventDefault();
      askStatus.textContent = "";
      fetch(ask.action, { method: "POST", body: new FormData(ask), credentials: "same-origin",
                          headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          askStatus.textContent = answer.message || answer.error;
          if (answer.message) { ask.querySelector("textarea").value = ""; }
          else { ask.querySelector("textarea").focus(); }
        }, function () { ask.submit(); });
    });
  }
  if (!ended) {
    follow();
    load();
  }
  if (video && !ended) {
    // Spoken commands do what the controls do; what cannot be done yet is said again.
    var notYet = function () { announce(status.textContent); };
    LiveVoice(root, texts, {
      play: function () {
        if (buttons.play.disabled) { notYet(); } else if (video.paused) { buttons.play.click(); } else { announce(texts.playing); }
      },
      pause: function () { if (video.paused) { announce(texts.paused); } else { video.pause(); } },
      back: function (seconds) { if (buttons.back.disabled) { notYet(); } else { seek(-seconds); } },
      forward: function (seconds) { if (buttons.back.disabled) { notYet(); } else { seek(seconds); } },
      captions: function (on) {
        if ((buttons.captions.getAttribute("aria-pressed") === "true") !== on) { buttons.captions.click(); }
        else { announce(on ? texts.captionsOn : texts.captionsOff); }
      },
      transcript: function () { transcript.focus(); },
      where: function () {
        var behind = buttons.back.disabled ? 0 : Math.round(liveEdge() - video.currentTime);
        announce(behind > 1 ? texts.behindLive.replace("{seconds}", String(behind)) : status.textContent);
      }
    });
  }
}

function csrfToken() {
  var field = document.querySelector("input[name=csrf_token]");
  return field ? field.value : "";
}

// A corrected line, in a list of lines (the learner's transcript or the teacher's list).
function correct(list, data) {
  var item = list.querySelector('[data-cue="' + data.cue + '"]');
  if (!item) { return; }
  var text = item.querySelector("[data-text]") || item;
  text.textContent = data.text.replace(/\n/g, " ");
}

// The teacher's page: questions and finished caption lines as they come, each line with a
// link to correct it.
function setUpTeacher(root) {
  var source = new EventSource(root.getAttribute("data-events"));
  var questions = root.querySelector("[data-live-questions]");
  var lines = root.querySelector("[data-live-lines]");
  var linkText = lines.getAttribute("data-correct-text");
  source.addEventListener("question", function (e) {
    var data = JSON.parse(e.data);
    var none = root.querySelector("[data-live-no-questions]");
    if (none) { none.remove(); }
    var item = document.createElement("li");
    item.id = "question-" + data.id;
    var who = document.createElement("strong");
    who.textContent = data.name;
    item.appendChild(who);
    item.appendChild(document.createTextNode(": " + data.text));
    questions.appendChild(item);
  });
  source.addEventListener("final", function (e) {
    var data = JSON.parse(e.data);
    if (!data.closed || lines.querySelector('[data-cue="' + data.cue + '"]')) { return; }
    var item = document.createElement("li");
    item.id = "line-" + data.cue;
    item.setAttribute("data-cue", String(data.cue));
    var text = document.createElement("span");
    text.setAttribute("data-text", "");
    text.textContent = data.text.replace(/\n/g, " ");
    var link = document.createElement("a");
    link.href = root.getAttribute("data-correct-url").replace(/\/0$/, "/" + data.cue);
    link.textContent = linkText;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + lines.getAttribute("data-line-text").replace("{number}", String(data.cue));
    link.appendChild(hidden);
    item.appendChild(text);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(link);
    lines.appendChild(item);
  });
  source.addEventListener("correction", function (e) { correct(lines, JSON.parse(e.data)); });
}

// Going live from the browser (no OBS): the camera, or the screen, with the microphone, recorded
// by MediaRecorder in half-second parts, each sent in order to the server, which relays the
// stream to the ingest.
function setUpGoLive(root) {
  var texts = JSON.parse(document.getElementById("go-live-texts").textContent);
  var start = root.querySelector("[data-go-live-start]");
  var stop = root.querySelector("[data-go-live-stop]");
  var status = root.querySelector("[data-go-live-status]");
  var preview = root.querySelector("[data-go-live-preview]");
  var recorder = null;
  var stream = null;
  var part = 0;
  var sending = Promise.resolve();
  var failed = false;

  function say(text) { status.textContent = text; }
  function source() {
    var screen = root.querySelector("input[value=screen]").checked;
    var microphone = navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    if (!screen) {
      return navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 25 }, audio: true });
    }
    return Promise.all([navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 } }), microphone])
      .then(function (both) { return new MediaStream(both[0].getVideoTracks().concat(both[1].getAudioTracks())); });
  }
  function send(blob) {
    var number = part++;
    sending = sending.then(function () {
      if (failed) { return; }
      return fetch(root.getAttribute("data-url") + "?part=" + number, {
        method: "POST", body: blob, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/octet-stream" }
      }).then(function (r) {
        if (!r.ok) { return r.json().then(function (answer) { throw new Error(answer.error); }); }
      }).catch(function (error) {
        failed = true;
        say(texts.lost.replace("{reason}", error.message));
        finish();
      });
    });
  }
  function finish() {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    start.disabled = false;
    stop.disabled = true;
  }
  start.addEventListener("click", function () {
    if (!window.MediaRecorder || !navigator.mediaDevices) { say(texts.unsupported); return; }
    say(texts.asking);
    source().then(function (got) {
      stream = got;
      preview.srcObject = got;
      preview.hidden = false;
      preview.play().catch(function () {});
      var type = ["video/webm;codecs=vp8,opus", "video/webm"].find(function (t) { return MediaRecorder.isTypeSupported(t); });
      recorder = new MediaRecorder(got, { mimeType: type, videoBitsPerSecond: 800000 });
      part = 0;
      failed = false;
      recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) { send(e.data); } });
      recorder.start(500);
      start.disabled = true;
      stop.disabled = false;
      stop.focus();
      say(texts.live);
    }, function () { say(texts.denied); });
  });
  stop.addEventListener("click", function () {
    say(texts.stopping);
    var stopped = new Promise(function (done) {
      if (!recorder || recorder.state === "inactive") { done(); return; }
      recorder.addEventListener("stop", function () { done(); }, { once: true });
    });
    finish();
    preview.hidden = true;
    stopped.then(function () { return sending; }).then(function () {
      return fetch(root.getAttribute("data-end-url"), { method: "POST", credentials: "same-origin",
                                                        headers: { "X-CSRFToken": csrfToken() } });
    }).then(function () {
      say(texts.stopped);
      start.disabled = true;
    });
  });
}

document.querySelectorAll("[data-live]").forEach(setUp);
document.querySelectorAll("[data-go-live]").forEach(setUpGoLive);
document.querySelectorAll("[data-live-teacher]").forEach(setUpTeacher);
