/* Accessible Learning player: the sign-language video (MAUR SL-1 … SL-5). Owns the second,
   muted <video> of an interpreter, kept in step with the lesson: it plays, pauses, seeks and
   changes speed with the lesson's video, is put back in place when it drifts more than 0.2 s,
   and follows the lesson's time, not the file's, so that in the extended-description version it
   waits while the programme waits for a description (the core's P.now() maps the extended file
   through its pauses, as descriptions.js does). Owns its list (off, or a sign language), where it
   is (over the video in a corner, beside it, or swapped: the sign video large and the lesson's
   small in the corner), the corner and the size; each change is applied at once, announced and
   saved in the learner's preferences. It must not play, pause or seek the lesson's video. */

import { announce, fill, playVideo, savePreference } from "./util.js";

var CORNERS = ["top-left", "top-right", "bottom-right", "bottom-left"];  // clockwise
var SIZES = ["small", "medium", "large"];
var DRIFT = 0.2;  // seconds the sign video may be off the lesson before it is put back
var TICK = 200;  // milliseconds between checks while it shows

export function setUpSign(P) {
  var M = P.M;
  var video = P.video;
  var box = P.root.querySelector("[data-sign-controls]");
  var frame = P.root.querySelector("[data-sign-window]");
  var sign = frame && frame.querySelector("video");
  function none() { announce(M.no_sign); }
  if (!box || !sign) {
    return { actions: { sign: none, sign_swap: none, sign_move: none, sign_larger: none,
                        sign_smaller: none } };
  }
  var screen = P.root.querySelector("[data-screen]");
  var list = box.querySelector("[data-sign-select]");
  var layoutList = box.querySelector("[data-sign-layout-select]");
  var options = box.querySelector("[data-sign-options]");
  var url = P.root.getAttribute("data-preferences-url");
  var place = {
    layout: layoutList.value || "over",
    corner: box.getAttribute("data-sign-corner") || "bottom-right",
    size: box.getAttribute("data-sign-size") || "medium"
  };
  var lastLayout = place.layout === "swap" ? "over" : place.layout;  // what swapping back gives
  var language = "";
  var lastLanguage = list.value || (list.options.length > 1 ? list.options[1].value : "");
  var timer = null;
  var lastFix = 0;

  // Saved one after another: each save writes the whole row, so two at once could undo one.
  var saving = Promise.resolve();
  function save(name, value) {
    if (!url) { return; }
    saving = saving.then(function () { return savePreference(url, name, value); });
  }

  /* Keeping in step with the lesson */
  function lessonTime() { return P.now(); }
  // The programme waits (the extended version's pause for a description, another file
  // loading): the lesson's time stands still while the file's goes on.
  function lessonWaits() {
    var d = P.described;
    if (!d) { return false; }
    if (d.loading()) { return true; }
    return Math.abs(d.fileTime(lessonTime()) - video.currentTime) > 0.05;
  }
  function follow() {
    if (!language) { return; }
    if (sign.playbackRate !== video.playbackRate) { sign.playbackRate = video.playbackRate; }
    if (sign.readyState < 1) { return; }
    var target = Math.min(lessonTime(), Math.max(0, (sign.duration || Infinity) - 0.05));
    var hold = video.paused || video.ended || video.seeking || video.readyState < 3
      || lessonWaits();
    var drift = Math.abs(sign.currentTime - target);
    if (hold) {
      if (!sign.paused) { sign.pause(); }
      if (drift > 0.05 && !sign.seeking) { sign.currentTime = target; }
      return;
    }
    var now = Date.now();
    // A seek takes a moment: another only after a second, unless it is far off.
    if (drift > DRIFT && !sign.seeking && (now - lastFix > 1000 || drift > 1)) {
      lastFix = now;
      sign.currentTime = target;
    }
    if (sign.paused && target < (sign.duration || Infinity) - 0.05) { playVideo(sign); }
  }
  ["play", "playing", "pause", "seeking", "seeked", "ratechange", "waiting", "ended",
   "loadedmetadata"].forEach(function (name) { video.addEventListener(name, follow); });
  sign.addEventListener("loadedmetadata", follow);

  /* Where it is */
  function layoutNow() { return place.layout; }
  function classes() {
    Array.prototype.slice.call(screen.classList).forEach(function (name) {
      if (/^sign-/.test(name)) { screen.classList.remove(name); }
    });
    if (!language) { return; }
    screen.classList.add("sign-on", "sign-layout-" + place.layout, "sign-corner-" + place.corner,
                         "sign-size-" + place.size);
  }
  function placeText() {
    var corner = M["corner_" + place.corner];
    var size = M["size_" + place.size];
    if (place.layout === "beside") {
      return fill(/left$/.test(place.corner) ? M.sign_beside_left : M.sign_beside_right,
                  { size: size });
    }
    return fill(place.layout === "swap" ? M.sign_swap : M.sign_over,
                { corner: corner, size: size });
  }
  function setLayout(layout) {
    place.layout = layout;
    if (layout !== "swap") { lastLayout = layout; }
    layoutList.value = layout;
    classes();
    announce(placeText());
    save("sign_layout", layout);
  }
  function step(values, value, by) {
    var i = values.indexOf(value);
    return values[Math.min(values.length - 1, Math.max(0, (i < 0 ? 0 : i) + by))];
  }
  function whenOn(change) {
    return function () {
      if (!language) { announce(M.sign_off); return; }
      change();
      classes();
      announce(placeText());
    };
  }

  /* On and off */
  function choose(code, quiet) {
    var option = null;
    for (var i = 0; i < list.options.length; i++) {
      if (list.options[i].value === code) { option = list.options[i]; }
    }
    code = option ? code : "";
    list.value = code;
    language = code;
    options.hidden = !code;
    if (!code) {
      sign.pause();
      frame.hidden = true;
      window.clearInterval(timer);
      timer = null;
      classes();
      if (!quiet) { announce(M.sign_off); save("sign_on", false); }
      return;
    }
    lastLanguage = code;
    var src = option.getAttribute("data-src");
    if (sign.getAttribute("src") !== src) {
      sign.setAttribute("src", src);
      sign.load();
    }
    sign.setAttribute("lang", code);
    sign.setAttribute("aria-label", fill(sign.getAttribute("data-label-text") || "{language}",
                                         { language: option.textContent }));
    frame.hidden = false;
    classes();
    if (!timer) { timer = window.setInterval(follow, TICK); }
    follow();
    if (!quiet) {
      announce(fill(M.sign_on, { language: option.textContent }) + " " + placeText());
      save("sign_language", code);
      save("sign_on", true);
    }
  }
  list.addEventListener("change", function () { choose(list.value); });
  layoutList.addEventListener("change", function () { setLayout(layoutList.value); });
  if (list.value) { choose(list.value, true); }

  return {
    layout: layoutNow,
    actions: {
      sign: function () { choose(language ? "" : lastLanguage); },
      sign_swap: function () {
        if (!language) { announce(M.sign_off); return; }
        setLayout(place.layout === "swap" ? lastLayout : "swap");
      },
      sign_move: whenOn(function () {
        place.corner = CORNERS[(CORNERS.indexOf(place.corner) + 1) % CORNERS.length];
        save("sign_corner", place.corner);
      }),
      sign_larger: whenOn(function () {
        place.size = step(SIZES, place.size, 1);
        save("sign_size", place.size);
      }),
      sign_smaller: whenOn(function () {
        place.size = step(SIZES, place.size, -1);
        save("sign_size", place.size);
      })
    }
  };
}
