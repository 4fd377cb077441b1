/* Accessible Learning player: voice commands. Owns the microphone: push to talk opens it for
   one utterance; hands-free listening (off unless the learner turns it on, shown whenever it is
   on) keeps it open and sends each short sound to the server's wake-word check, then takes the
   next utterance as a command. Utterances (found by their loudness) go to this server as 16 kHz
   mono 16-bit PCM; the answer goes to the core's onCommand, or to a question's callback. Push to
   talk opens the microphone without the browser's automatic gain, noise suppression and echo
   cancellation: the recogniser expects the voice as it is (the gain raised a quiet "재생" to the
   top of the range and it was heard as another command); hands-free keeps echo cancellation,
   so that the lesson's own sound is not taken for the learner. Speech ends after END_MS of
   quiet; each answer's `voice-timing` event on the player says when the speech ended and when
   the answer came (make bench measures it). It must never keep or send audio other than the
   utterances, and it must not act on a command itself. */

import { announce, clamp, fill, offlineText, post, savePreference } from "./util.js";

var RATE = 16000;
var THRESHOLD = 0.02;
var END_MS = 450;  // quiet after speech that ends it (a pause inside "뒤로 십 초" is shorter)
var WAKE_MAX_MS = 2500;  // longer sounds are not the wake word: not sent

// Finds utterances in 8 ms frames: speech starts loud after at least 100 ms of quiet (speech
// already going on is not the learner's), and ends after END_MS of quiet or 6 s.
function Detector() {
  var d = { speaking: false, quietMs: 0, preroll: [], speech: [], trailingMs: 0, speechMs: 0,
            endedAt: 0 };
  d.feed = function (frame) {
    var sum = 0;
    for (var i = 0; i < frame.length; i++) { sum += frame[i] * frame[i]; }
    var loud = Math.sqrt(sum / frame.length) > THRESHOLD;
    var ms = 1000 * frame.length / RATE;
    if (!d.speaking) {
      d.quietMs = loud ? d.quietMs : d.quietMs + ms;
      d.preroll.push(frame);
      while (d.preroll.length > 40) { d.preroll.shift(); }  // about 0.3 s
      if (loud && d.quietMs >= 100) {
        d.speaking = true;
        d.speech = d.preroll.slice();
        d.trailingMs = 0;
        d.speechMs = 0;
      } else if (loud) { d.quietMs = 0; }
      return null;
    }
    d.speech.push(frame);
    d.speechMs += ms;
    d.trailingMs = loud ? 0 : d.trailingMs + ms;
    if (loud) { d.endedAt = performance.now(); }
    if (d.trailingMs < END_MS && d.speechMs < 6000) { return null; }
    var heard = { frames: d.speech, endedAt: d.endedAt, ms: d.speechMs - d.trailingMs };
    d.speaking = false; d.quietMs = 0; d.preroll = []; d.speech = [];
    return heard;
  };
  return d;
}

export function pcmOf(frames) {
  var total = 0;
  frames.forEach(function (frame) { total += frame.length; });
  var pcm = new Int16Array(total);
  var offset = 0;
  frames.forEach(function (frame) {
    for (var i = 0; i < frame.length; i++) {
      pcm[offset++] = clamp(Math.round(frame[i] * 32767), -32768, 32767);
    }
  });
  return pcm.buffer;
}

export function VoiceInput(root, M, onCommand) {
  var button = root.querySelector("[data-action='voice']");
  var handsButton = root.querySelector("[data-action='hands_free']");
  var handsStatus = root.querySelector("[data-hands-free-status]");
  var url = root.getAttribute("data-voice-url");
  var wakeUrl = root.getAttribute("data-wake-url");
  var workletUrl = root.getAttribute("data-worklet-url");
  var mic = null;  // { stream, context, detector, hands, mode, callback, timer }
  var ticket = 0;  // a microphone still opening when its listening was cancelled is closed at once

  function setPressed(on) { if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); } }
  function showHands(on) {
    if (handsButton) { handsButton.setAttribute("aria-pressed", on ? "true" : "false"); }
    if (handsStatus) { handsStatus.hidden = !on; }
  }
  function close() {
    if (!mic) { return; }
    window.clearTimeout(mic.timer);
    mic.stream.getTracks().forEach(function (t) { t.stop(); });
    mic.context.close();
    var hands = mic.hands;
    mic = null;
    setPressed(false);
    if (hands) { showHands(false); }
  }
  // Back to what the microphone does when nothing is asked: hands-free waits for the wake
  // word; push to talk is over.
  function rest() {
    if (!mic) { return; }
    window.clearTimeout(mic.timer);
    if (mic.hands) { mic.mode = "wake"; mic.callback = null; setPressed(false); } else { close(); }
  }
  function expect(mode, callback, waitMs, onSilence) {
    window.clearTimeout(mic.timer);
    mic.mode = mode;
    mic.callback = callback;
    setPressed(true);
    mic.timer = window.setTimeout(function () {
      if (mic && !mic.detector.speaking) {
        rest();
        if (onSilence) { onSilence(); } else { announce(M.voice_no_speech); }
      }
    }, waitMs);
  }
  function send(heard, mode, callback) {
    var target = mode === "wake" ? wakeUrl : (mode === "answer" ? url + "?expect=answer" : url);
    return post(target, pcmOf(heard.frames), "application/octet-stream").then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          if (mode !== "wake") { announce(data.error || fill(M.voice_error, { error: response.status })); }
          return;
        }
        root.dispatchEvent(new CustomEvent("voice-timing", { detail: {
          speechEnded: heard.endedAt, answered: performance.now(), command: data.command,
          decision: data.decision } }));
        if (mode !== "wake") { (callback || onCommand)(data); return; }
        if (data.command === "wake" && mic && mic.mode === "wake") {
          expect("command", null, 5000);
          announce(M.voice_listening);
        }
      });
    }).catch(function () { if (mode !== "wake") { announce(offlineText()); } });
  }
  function onFrame(frame) {
    if (!mic) { return; }
    var heard = mic.detector.feed(frame);
    if (!heard) { return; }
    var mode = mic.mode;
    var callback = mic.callback;
    if (mode === "wake") {
      if (heard.ms <= WAKE_MAX_MS) { send(heard, "wake"); }
      return;
    }
    rest();
    send(heard, mode, callback);
  }
  // Opens the microphone: for one utterance (mode "command" or "answer"), or hands-free.
  function open(hands, mode, callback, waitMs, onSilence) {
    if (!navigator.mediaDevices || !window.AudioContext || !window.AudioWorkletNode) {
      if (mode !== "answer") { announce(M.voice_no_microphone); }
      return;
    }
    if (hands) { showHands(true); } else { setPressed(true); }
    var mine = ++ticket;
    var opening = { stream: null, context: null };
    navigator.mediaDevices.getUserMedia({ audio: {
      channelCount: 1, autoGainControl: false, noiseSuppression: false, echoCancellation: hands
    } }).then(function (stream) {
      opening.stream = stream;
      opening.context = new window.AudioContext({ sampleRate: RATE });
      return opening.context.audioWorklet.addModule(workletUrl);
    }).then(function () {
      if (mine !== ticket) {
        opening.stream.getTracks().forEach(function (t) { t.stop(); });
        opening.context.close();
        return;
      }
      var context = opening.context;
      var node = new window.AudioWorkletNode(context, "pcm-capture");
      var silent = context.createGain();
      silent.gain.value = 0;
      context.createMediaStreamSource(opening.stream).connect(node);
      node.connect(silent);
      silent.connect(context.destination);
      mic = { stream: opening.stream, context: context, detector: Detector(), hands: hands,
              mode: "wake", callback: null, timer: 0 };
      node.port.onmessage = function (event) { onFrame(event.data); };
      if (hands) { announce(fill(M.hands_free_on, JSON.parse(root.dataset.voiceExample || "{}"))); }
      else { expect(mode, callback, waitMs, onSilence); }
      if (!hands && mode !== "answer") { announce(M.voice_listening); }
    }).catch(function () {
      if (opening.stream) { opening.stream.getTracks().forEach(function (t) { t.stop(); }); }
      if (opening.context) { opening.context.close(); }
      if (hands) { showHands(false); } else { setPressed(false); }
      if (mode !== "answer") { announce(M.voice_no_microphone); }  // a question is answered by keys then
    });
  }
  if (root.hasAttribute("data-hands-free") && wakeUrl) { open(true, "wake"); }
  return {
    toggle: function () {
      if (mic && mic.hands) { expect("command", null, 8000); announce(M.voice_listening); }
      else if (mic) { rest(); } else { open(false, "command", null, 8000); }
    },
    listenForAnswer: function (callback, onSilence) {
      if (mic && mic.hands) { expect("answer", callback, 6000, onSilence); return; }
      close();
      open(false, "answer", callback, 6000, onSilence);
    },
    handsFree: function () {  // the learner's choice, kept in their preferences
      var wanted = !(mic && mic.hands) && handsButton.getAttribute("aria-pressed") !== "true";
      ticket++;
      close();
      if (wanted) { open(true, "wake"); } else { showHands(false); announce(M.hands_free_off); }
      var prefsUrl = root.getAttribute("data-preferences-url");
      if (prefsUrl) { savePreference(prefsUrl, "voice_hands_free", wanted ? "true" : "false", ""); }
    },
    stop: function () { ticket++; if (mic && mic.hands) { rest(); } else { close(); setPressed(false); } }
  };
}
