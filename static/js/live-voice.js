/* Accessible Learning: voice on a live class's page (issue 28). Owns what spoken commands do
   there (through the page's own controls: play, pause, back and forward within the live window,
   captions, the transcript, where am I) and the spoken question: recorded for as long as the
   learner wants (30 s at most), written out by this server and put in the question box to check
   and change before sending. The microphone, and the question asked when a command is unsure,
   are the lesson player's (player/voice.js, player/ask.js). It must not send a question itself,
   nor keep or send audio other than what the learner asked to be heard. */

import { VoiceQuestion } from "./player/ask.js";
import { announce, fill, offlineText, post } from "./player/util.js";
import { VoiceInput, pcmOf } from "./player/voice.js";

var RATE = 16000;
var DICTATION_MS = 29500;  // the server takes 30 s at most

export function LiveVoice(root, texts, controls) {
  var M = JSON.parse(root.getAttribute("data-messages") || "{}");
  var example = JSON.parse(root.getAttribute("data-voice-example") || "{}");
  function run(command, args) {
    var seconds = (args && args.seconds) || 10;
    var actions = {
      play: controls.play, pause: controls.pause, transcript: controls.transcript,
      where: controls.where,
      back: function () { controls.back(seconds); },
      forward: function () { controls.forward(seconds); },
      captions_on: function () { controls.captions(true); },
      captions_off: function () { controls.captions(false); },
      help: function () { announce(texts.voiceHelp); }
    };
    if (actions[command]) { actions[command](); } else { announce(texts.notLive); }
  }
  var question = null;
  function onVoice(result) {
    if (!result || !result.command || result.command === "none") {
      announce(fill(M.voice_not_understood, example));
      return;
    }
    if (!(result.decision === "ask" && question.ask(result))) { run(result.command, result.args); }
  }
  var voice = VoiceInput(root, M, onVoice);
  question = VoiceQuestion(root, M, voice, run);
  root.onVoiceResult = onVoice;  // as the lesson player's: tests hand it the server's answers
  var button = root.querySelector("[data-action='voice']");
  if (button) { button.addEventListener("click", function () { voice.toggle(); }); }
  dictation(root, texts, M);
}

function dictation(root, texts, M) {
  var button = root.querySelector("[data-live-dictate]");
  var form = root.querySelector("[data-live-ask]");
  if (!button || !form) { return; }
  var box = form.querySelector("textarea");
  var status = form.querySelector("[data-live-ask-status]");
  var workletUrl = root.getAttribute("data-worklet-url");
  var recording = null;  // { stream, context, frames, timer }
  var opening = false;

  function say(text) { status.textContent = text; }
  function finish(note) {
    if (!recording) { return; }
    var taken = recording;
    recording = null;
    window.clearTimeout(taken.timer);
    taken.stream.getTracks().forEach(function (t) { t.stop(); });
    taken.context.close();
    button.setAttribute("aria-pressed", "false");
    say(note || texts.dictateWriting);
    post(root.getAttribute("data-dictate-url"), pcmOf(taken.frames), "application/octet-stream")
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.text) { box.value = box.value.trim() ? box.value.trim() + " " + answer.text : answer.text; }
        say(answer.message || answer.error);
        box.focus();
      }, function () { say(offlineText()); });
  }
  button.addEventListener("click", function () {
    if (recording) { finish(); return; }
    if (opening) { return; }
    if (!navigator.mediaDevices || !window.AudioContext || !window.AudioWorkletNode) {
      say(M.voice_no_microphone);
      return;
    }
    opening = true;
    var stream = null;
    var context = null;
    // Echo cancellation on: the class's own sound may be playing beside the learner.
    navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true } })
      .then(function (s) {
        stream = s;
        context = new window.AudioContext({ sampleRate: RATE });
        return context.audioWorklet.addModule(workletUrl);
      }).then(function () {
        opening = false;
        var node = new window.AudioWorkletNode(context, "pcm-capture");
        var silent = context.createGain();
        silent.gain.value = 0;
        context.createMediaStreamSource(stream).connect(node);
        node.connect(silent);
        silent.connect(context.destination);
        recording = { stream: stream, context: context, frames: [], timer: 0 };
        node.port.onmessage = function (event) { if (recording) { recording.frames.push(event.data); } };
        recording.timer = window.setTimeout(function () { finish(texts.dictateTooLong); }, DICTATION_MS);
        button.setAttribute("aria-pressed", "true");
        say(texts.dictating);
      }).catch(function () {
        opening = false;
        if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
        if (context) { context.close(); }
        say(M.voice_no_microphone);
      });
  });
}
