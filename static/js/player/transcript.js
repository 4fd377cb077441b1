/* Accessible Learning player: the interactive transcript beside the video (loaded by htmx).
   Owns showing and hiding the panel (focus never lost with it), marking the current line with
   aria-current and following it unless the learner turns "Follow the video" off, and lines
   that seek. It must not load the panel itself (htmx does) nor change the video but by P.seek. */

import { announce, fill, playVideo, savePreference } from "./util.js";

export function setUpTranscript(P) {
  var panel = document.getElementById("transcript-panel");
  var M = P.M;
  var autoscroll = true;
  var currentLine = null;

  function show(on, focus) {
    if (!panel) { return; }
    var toggle = P.button("transcript");
    // Focus is never lost with the panel: it goes to the button that brings it back.
    if (!on && panel.contains(document.activeElement) && toggle) { toggle.focus(); }
    panel.hidden = !on;
    P.press("transcript", on);
    announce(on ? M.transcript_shown : M.transcript_hidden);
    if (on && focus) {
      var heading = panel.querySelector("h2");
      if (heading) { heading.focus(); }
    }
  }
  function highlight(t) {
    if (!panel) { return; }
    var lines = panel.querySelectorAll("[data-seek]");
    var found = null;
    for (var i = 0; i < lines.length; i++) {
      if (parseFloat(lines[i].getAttribute("data-seek")) <= t + 0.05) { found = lines[i]; }
    }
    if (found === currentLine) { return; }
    if (currentLine) { currentLine.removeAttribute("aria-current"); }
    currentLine = found;
    if (!found) { return; }
    found.setAttribute("aria-current", "true");
    var box = panel.querySelector(".transcript-scroll");
    if (autoscroll && box && !box.contains(document.activeElement)) {
      var reduce = document.body.classList.contains("reduce-motion") ||
        window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      box.scrollTo({ top: Math.max(0, found.offsetTop - box.clientHeight / 3),
                     behavior: reduce ? "auto" : "smooth" });
    }
  }

  P.video.addEventListener("timeupdate", function () { highlight(P.now()); });
  // Lines seek the video; "Follow the video" turns following on and off.
  P.area.addEventListener("click", function (event) {
    var line = event.target.closest("[data-seek]");
    if (line && panel && panel.contains(line)) {
      P.seek(parseFloat(line.getAttribute("data-seek")));
      playVideo(P.video);
      return;
    }
    var follow = event.target.closest("[data-autoscroll]");
    if (follow) {
      autoscroll = follow.getAttribute("aria-pressed") !== "true";
      follow.setAttribute("aria-pressed", autoscroll ? "true" : "false");
      announce(autoscroll ? M.follow_on : M.follow_off);
    }
  });
  // The transcript's language: htmx reloads the panel in it; the choice is saved and announced
  // once the lines are there, and the focus goes back to the list it was on.
  var languageChosen = null;
  if (panel) {
    panel.addEventListener("change", function (event) {
      var select = event.target.closest("[data-transcript-language]");
      if (!select) { return; }
      var option = select.selectedOptions[0];
      languageChosen = fill(M.transcript_language,
                            { language: option ? option.textContent : select.value });
      savePreference(P.root.getAttribute("data-preferences-url"), "transcript_language",
                     select.value, "");
    });
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!panel || !panel.contains(event.detail.target)) { return; }
    if (languageChosen) {
      var again = panel.querySelector("[data-transcript-language]");
      if (again) { again.focus(); }
      announce(languageChosen);
      languageChosen = null;
    }
    var follow = panel.querySelector("[data-autoscroll]");
    if (follow) { autoscroll = follow.getAttribute("aria-pressed") === "true"; }
    currentLine = null;
    highlight(P.now());
  });

  return {
    toggle: function (focus) { show(panel ? panel.hidden : false, focus); }
  };
}
