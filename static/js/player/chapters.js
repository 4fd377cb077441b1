/* Accessible Learning player: chapters. Owns the chapter buttons (each plays from its chapter's
   start, and the current one is marked with aria-current) and moving to the next or previous
   chapter by shortcut or voice. It must not change the video but through P.seek. */

import { announce, fill, playVideo } from "./util.js";

// Within this many seconds of a chapter's start, "previous" goes to the one before it.
var RESTART_WITHIN = 3;

export function setUpChapters(P) {
  var buttons = Array.prototype.slice.call(P.root.querySelectorAll("[data-chapter]"));
  function start(chapter) { return parseFloat(chapter.getAttribute("data-chapter")); }
  function currentIndex(t) {
    var found = -1;
    buttons.forEach(function (chapter, i) { if (start(chapter) <= t + 0.05) { found = i; } });
    return found;
  }
  function go(i) {
    var chapter = buttons[i];
    P.seek(start(chapter));
    announce(fill(P.M.chapter, { number: i + 1, count: buttons.length,
      title: chapter.querySelector("[data-chapter-title]").textContent.trim() }));
  }
  buttons.forEach(function (chapter) {
    chapter.addEventListener("click", function () {
      P.seek(start(chapter));
      playVideo(P.video);
    });
  });
  P.video.addEventListener("timeupdate", function () {
    var found = buttons[currentIndex(P.now())] || null;
    buttons.forEach(function (chapter) {
      if (chapter === found) { chapter.setAttribute("aria-current", "true"); }
      else { chapter.removeAttribute("aria-current"); }
    });
  });
  return {
    next: function () {
      if (!buttons.length) { announce(P.M.no_chapters); return; }
      var i = currentIndex(P.now()) + 1;
      if (i >= buttons.length) { announce(P.M.no_next_chapter); return; }
      go(i);
    },
    previous: function () {
      if (!buttons.length) { announce(P.M.no_chapters); return; }
      var t = P.now();
      var i = currentIndex(t);
      if (i > 0 && t - start(buttons[i]) < RESTART_WITHIN) { i -= 1; }
      go(Math.max(0, i));
    }
  };
}
