/* Accessible Learning player: chapters. Owns the chapter buttons: each plays from its
   chapter's start, and the current one is marked with aria-current. It must not change the
   video but through P.seek. */

import { playVideo } from "./util.js";

export function setUpChapters(P) {
  var buttons = P.root.querySelectorAll("[data-chapter]");
  buttons.forEach(function (chapter) {
    chapter.addEventListener("click", function () {
      P.seek(parseFloat(chapter.getAttribute("data-chapter")));
      playVideo(P.video);
    });
  });
  P.video.addEventListener("timeupdate", function () {
    var t = P.now();
    var found = null;
    buttons.forEach(function (chapter) {
      if (parseFloat(chapter.getAttribute("data-chapter")) <= t + 0.05) { found = chapter; }
    });
    buttons.forEach(function (chapter) {
      if (chapter === found) { chapter.setAttribute("aria-current", "true"); }
      else { chapter.removeAttribute("aria-current"); }
    });
  });
}
