/* Accessible Learning player: voice commands, push to talk. Owns the microphone, which is
   opened only while listening; the utterance (found by its loudness) goes to this server as
   16 kHz mono 16-bit PCM and the answer goes to the core's onCommand (or, for the answer to a
   question, to the asker's callback). The microphone is opened without the browser's automatic
   gain, noise suppression and echo cancellation: the recogniser expects the voice as it is (the
   gain raised a quiet "재생" to the top of the range and it was heard as another command).
   Speech ends after END_MS of quiet; each answer's `voice-timing` event on the player says when
   the speech ended and when the answer came (make bench measures it). It must never keep or
   send audio other than the one utterance, and it must not act on a command itself. */

import { announce, clamp, fill, offlineText, post } from "./util.js";

export function VoiceInput(root, M, onCommand) {
  var button = root.querySelector("[data-action='voice']");
  var url = root.getAttribute("data-voice-url");
  var workletUrl = root.getAttribute("data-worklet-url");
  var RATE = 16000;
  var THRESHOLD = 0.02;
  var END_MS = 450;  // quiet after speech that ends it (a pause inside "뒤로 십 초" is shorter)
  var state = null;
  var ticket = 0;  // a microphone still opening when its listening was cancelled is closed at once

  function setPressed(on) { if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); } }
  function stop() {
    if (!state) { return; }
    window.clearTimeout(state.timer);
    state.stream.getTracks().forEach(function (t) { t.stop(); });
    state.context.close();
    state = null;
    setPressed(false);
  }
  function send(samples, endedAt, answer) {
    var pcm = new Int16Array(samples.length);
    for (var i = 0; i < samples.length; i++) {
      pcm[i] = clamp(Math.round(samples[i] * 32767), -32768, 32767);
    }
    return post(answer ? url + "?expect=answer" : url, pcm.buffer,
                "application/octet-stream").then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { announce(data.error || fill(M.voice_error, { error: response.status })); return; }
        root.dispatchEvent(new CustomEvent("voice-timing", { detail: {
          speechEnded: endedAt, answered: performance.now(), command: data.command,
          decision: data.decision } }));
        (answer || onCommand)(data);
      });
    }).catch(function () {
      announce(offlineText());
    });
  }
  function finish() {
    if (!state) { return; }
    var samples = state.speech;
    var endedAt = state.speechEndedAt;
    var answer = state.answer;
    stop();
    var total = 0;
    samples.forEach(function (frame) { total += frame.length; });
    var joined = new Float32Array(total);
    var offset = 0;
    samples.forEach(function (frame) { joined.set(frame, offset); offset += frame.length; });
    send(joined, endedAt, answer);
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
    if (loud) { state.speechEndedAt = performance.now(); }
    if (state.trailingMs >= END_MS || state.speechMs >= 6000) { finish(); }
  }
  // Listens once: for a command, or (`answer`: a callback) for yes or no to a question, when
  // `onSilence` is called if nothing is said within `waitMs`.
  function start(answer, onSilence, waitMs) {
    if (state) { finish(); return; }
    if (!navigator.mediaDevices || !window.AudioContext || !window.AudioWorkletNode) {
      announce(M.voice_no_microphone);
      return;
    }
    setPressed(true);
    var mine = ++ticket;
    var opening = { stream: null, context: null };
    navigator.mediaDevices.getUserMedia({ audio: {
      channelCount: 1, autoGainControl: false, noiseSuppression: false, echoCancellation: false
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
      var source = context.createMediaStreamSource(opening.stream);
      var node = new window.AudioWorkletNode(context, "pcm-capture");
      var silent = context.createGain();
      silent.gain.value = 0;
      source.connect(node);
      node.connect(silent);
      silent.connect(context.destination);
      state = {
        stream: opening.stream, context: context, speaking: false, quietMs: 0, preroll: [],
        speech: [], trailingMs: 0, speechMs: 0, speechEndedAt: 0, answer: answer || null,
        timer: window.setTimeout(function () {
          if (state && !state.speaking) {
            stop();
            if (onSilence) { onSilence(); } else { announce(M.voice_no_speech); }
          }
        }, waitMs || 8000)
      };
      node.port.onmessage = function (event) { onFrame(event.data); };
      if (!answer) { announce(M.voice_listening); }
    }).catch(function () {
      if (opening.stream) { opening.stream.getTracks().forEach(function (t) { t.stop(); }); }
      if (opening.context) { opening.context.close(); }
      setPressed(false);
      if (!answer) { announce(M.voice_no_microphone); }  // a question is answered by keys then
    });
  }
  return {
    toggle: function () { start(); },
    listenForAnswer: function (callback, onSilence) {
      if (state) { stop(); }
      start(callback, onSilence, 6000);
    },
    stop: function () { ticket++; stop(); setPressed(false); }
  };
}
