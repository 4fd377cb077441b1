/* Accessible Learning player: voice commands, push to talk. Owns the microphone, which is
   opened only while listening; the utterance (found by its loudness) goes to this server as
   16 kHz mono 16-bit PCM and the answer goes to the core's onCommand. It must never keep or
   send audio other than the one utterance, and it must not act on a command itself. */

import { announce, clamp, fill, offlineText, post } from "./util.js";

export function VoiceInput(root, M, onCommand) {
  var button = root.querySelector("[data-action='voice']");
  var url = root.getAttribute("data-voice-url");
  var workletUrl = root.getAttribute("data-worklet-url");
  var RATE = 16000;
  var THRESHOLD = 0.02;
  var state = null;

  function setPressed(on) { if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); } }
  function stop() {
    if (!state) { return; }
    window.clearTimeout(state.timer);
    state.stream.getTracks().forEach(function (t) { t.stop(); });
    state.context.close();
    state = null;
    setPressed(false);
  }
  function send(samples) {
    var pcm = new Int16Array(samples.length);
    for (var i = 0; i < samples.length; i++) {
      pcm[i] = clamp(Math.round(samples[i] * 32767), -32768, 32767);
    }
    return post(url, pcm.buffer, "application/octet-stream").then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { announce(data.error || fill(M.voice_error, { error: response.status })); return; }
        onCommand(data);
      });
    }).catch(function () {
      announce(offlineText());
    });
  }
  function finish() {
    if (!state) { return; }
    var samples = state.speech;
    stop();
    var total = 0;
    samples.forEach(function (frame) { total += frame.length; });
    var joined = new Float32Array(total);
    var offset = 0;
    samples.forEach(function (frame) { joined.set(frame, offset); offset += frame.length; });
    send(joined);
  }
  function onFrame(frame) {
    if (!state) { return; }
    var sum = 0;
    for (var i = 0; i < frame.length; i++) { sum += frame[i] * frame[i]; }
    var loud = Math.sqrt(sum / frame.length) > THRESHOLD;
    var ms = 1000 * frame.length / RATE;
    if (!state.speaking) {
      // Speech already going on when the button was pressed is not the learner's command.
      if (!loud) { state.quietMs += ms; }
      state.preroll.push(frame);
      while (state.preroll.length > 40) { state.preroll.shift(); }  // about 0.3 s
      if (loud && state.quietMs >= 100) {
        state.speaking = true;
        state.speech = state.preroll.slice();
        state.trailingMs = 0;
        state.speechMs = 0;
      } else if (loud) {
        state.quietMs = 0;
      }
      return;
    }
    state.speech.push(frame);
    state.speechMs += ms;
    state.trailingMs = loud ? 0 : state.trailingMs + ms;
    if (state.trailingMs >= 600 || state.speechMs >= 6000) { finish(); }
  }
  function start() {
    if (state) { finish(); return; }
    if (!navigator.mediaDevices || !window.AudioContext || !window.AudioWorkletNode) {
      announce(M.voice_no_microphone);
      return;
    }
    setPressed(true);
    var opening = { stream: null, context: null };
    navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } }).then(function (stream) {
      opening.stream = stream;
      opening.context = new window.AudioContext({ sampleRate: RATE });
      return opening.context.audioWorklet.addModule(workletUrl);
    }).then(function () {
      var context = opening.context;
      var source = context.createMediaStreamSource(opening.stream);
      var node = new window.AudioWorkletNode(context, "pcm-capture");
      var silent = context.createGain();
      silent.gain.value = 0;
      source.connect(node);
      node.connect(silent);
      silent.connect(context.destination);
      state = {
        stream: opening.stream, context: context, speaking: false, quietMs: 0, preroll: [],
        speech: [], trailingMs: 0, speechMs: 0,
        timer: window.setTimeout(function () {
          if (state && !state.speaking) { stop(); announce(M.voice_no_speech); }
        }, 8000)
      };
      node.port.onmessage = function (event) { onFrame(event.data); };
      announce(M.voice_listening);
    }).catch(function () {
      if (opening.stream) { opening.stream.getTracks().forEach(function (t) { t.stop(); }); }
      if (opening.context) { opening.context.close(); }
      setPressed(false);
      announce(M.voice_no_microphone);
    });
  }
  return { toggle: start };
}
