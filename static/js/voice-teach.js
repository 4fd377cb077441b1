/* Accessible Learning: "Teach the player your voice". Each command's Record button opens the
   microphone once, through the player's own voice input (player/voice.js: the same capture,
   loudness and end of speech as a command), and sends the take to this server, which keeps it
   (with the learner's consent, given on the page) and answers how many are kept. Owns the
   Record buttons and the counts; it must not keep or send any audio but the take. */

import { VoiceInput } from "./player/voice.js";
import { announce, fill } from "./player/util.js";

var section = document.querySelector("[data-teach-messages]");
if (section) {
  var words = JSON.parse(section.getAttribute("data-teach-messages"));
  section.querySelectorAll("[data-teach]").forEach(function (cell) {
    var phrase = cell.getAttribute("data-phrase");
    var count = document.getElementById(cell.getAttribute("data-count-id"));
    var input = VoiceInput(cell, {
      voice_listening: fill(words.listening, { phrase: phrase }),
      voice_no_speech: words.no_speech,
      voice_no_microphone: words.no_microphone,
      voice_error: words.error
    }, function (answer) {
      if (answer.message) {
        count.textContent = answer.counted;
        announce(answer.message);
      }
    });
    cell.querySelector("[data-action=voice]").addEventListener("click", function () {
      input.toggle();
    });
  });
}
