/* Accessible Learning: a live class's page (issue 28). Owns playing the class's HLS stream
   (hls.js, vendored, or the browser's own HLS), its controls (play and pause, back 10 seconds
   within the live window, back to live, captions on the video), and the live captions from the
   server's events (Server-Sent Events): the words being spoken under the video and in the
   transcript, and each finished line added to the transcript, which is read out only when the
   learner asks for it. It waits for a class that has not started and says when it ends. It
   must not decide anything the server decides (who may watch, what was said). */

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
    source.addEventListener("final", function (e) { onFinal(JSON.parse(e.data)); });
    source.addEventListener("partial", function (e) { onPartial(JSON.parse(e.data)); });
    source.addEventListener("state", function (e) {
      if (JSON.parse(e.data).state === "ended") {
        source.close();
        finish();
      }
    });
    source.addEventListener("open", function () { if (!ended && hls === null && !video.src) { load(); } });
  }

  // -- the video -------------------------------------------------------------------------------
  function ready() {
    ["play", "back", "live"].forEach(function (name) { buttons[name].disabled = false; });
    say(texts.live);
  }
  function waitAndTry() {
    say(texts.waiting);
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
          fetch(url, { method: "HEAD", credentials: "same-origin" }).then(function (r) {
            if (r.ok) { video.src = url; ready(); } else { waitAndTry(); }
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
    buttons.back.addEventListener("click", function () {
      var start = video.seekable.length ? video.seekable.start(0) : 0;
      video.currentTime = Math.max(start, video.currentTime - 10);
      say(texts.behind.replace("{seconds}", String(Math.round(liveEdge() - video.currentTime))));
    });
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
  if (!ended) {
    follow();
    load();
  }
}

document.querySelectorAll("[data-live]").forEach(setUp);
