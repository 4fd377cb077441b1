/* Accessible Learning player: the question the player asks when the recogniser is unsure of a
   voice command ("Pause? Press Enter or say 네. Escape or 아니요 cancels."). Owns the question
   box: it is shown with the focus on "Yes, do it", the question is announced, and the
   microphone listens once for the spoken yes or no; Enter (or the button) does the command,
   Escape, "No, cancel", the spoken no or a silence cancels it, and the focus goes back to where
   it was. It must not act itself: the core's run does the command. */

import { announce, fill } from "./util.js";

export function VoiceQuestion(root, M, voice, run) {
  var box = root.querySelector("[data-voice-question]");
  var text = box && box.querySelector("[data-voice-question-text]");
  var yes = box && box.querySelector("[data-voice-yes]");
  var no = box && box.querySelector("[data-voice-no]");
  var words = root.dataset.voiceExample ? JSON.parse(root.dataset.voiceExample) : {};
  var pending = null;
  var returnTo = null;

  function close() {
    var asked = pending;
    pending = null;
    box.hidden = true;
    voice.stop();
    if (returnTo && document.contains(returnTo) && returnTo !== document.body) { returnTo.focus(); }
    returnTo = null;
    return asked;
  }
  function confirm() {
    var asked = close();
    if (asked) { run(asked.command, asked.args, "voice"); }
  }
  function cancel() {
    if (close()) { announce(M.voice_cancelled); }
  }
  function heard(answer) {
    if (!pending) { return; }
    if (answer.command === "yes") { confirm(); }
    else if (answer.command === "no") { cancel(); }
    else { announce(M.voice_answer_unclear); }
  }
  function ask(result) {
    if (!box) { return false; }
    if (pending) { close(); }
    pending = result;
    returnTo = box.contains(document.activeElement) ? returnTo : document.activeElement;
    var command = fill(M["ask_" + result.command] || result.text,
                       { seconds: (result.args && result.args.seconds) || 10 });
    text.textContent = fill(M.voice_ask, { command: command, yes: words.yes || "",
                                           no: words.no || "" });
    box.hidden = false;
    yes.focus();
    announce(text.textContent);
    voice.listenForAnswer(heard, function () { if (pending) { cancel(); } });
    return true;
  }
  if (box) {
    yes.addEventListener("click", confirm);
    no.addEventListener("click", cancel);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); cancel(); }
    });
  }
  return { ask: ask };
}
