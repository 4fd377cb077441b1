/* Accessible Learning player: progress and resuming. Owns the parts of the lesson played (each
   counted once by the server) and the position, reported on pause, every 15 s, after a seek
   while paused and when the page is left; which accessibility features were on while playing
   (for counts); the offer to go on from where the learner stopped; and links to a moment
   (/lessons/N#t=125, also #t=2:05), which start there instead. It must not decide
   when a lesson is completed (the server does) and keeps a report that failed for the next. */

import { announce, fill, post } from "./util.js";

export function setUpProgress(P, features) {
  var video = P.video;
  var M = P.M;
  var progressUrl = P.root.getAttribute("data-progress-url");
  var played = [];
  var open = null;
  var last = null;
  var lastSaved = { position: -1 };
  var usedFeatures = {};

  function closeOpen() {
    if (open && open[1] - open[0] > 0.2) { played.push([open[0], open[1]]); }
    open = null;
    last = null;
  }
  function track() {
    if (video.paused || video.seeking || (P.described && P.described.loading())) {
      last = null;
      return;
    }
    features().forEach(function (name) { usedFeatures[name] = true; });
    var t = P.now();
    if (last !== null && t >= last && t - last < 2.5) {
      if (!open) { open = [last, t]; } else { open[1] = t; }
    } else {
      closeOpen();
    }
    last = t;
  }
  function save(leaving) {
    if (!progressUrl) { return; }
    var parts = played.slice();
    if (open && open[1] - open[0] > 0.2) { parts.push([open[0], open[1]]); }
    var position = P.now();
    if (!parts.length && Math.abs(position - lastSaved.position) < 1) { return; }
    played = [];
    if (open) { open = [open[1], open[1]]; }
    lastSaved.position = position;
    var features = Object.keys(usedFeatures);
    usedFeatures = {};
    var body = JSON.stringify({ position: position, played: parts, features: features });
    post(progressUrl, body, "application/json", leaving).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (!data || leaving) { return; }
      var playedText = document.querySelector("[data-played-text]");
      if (playedText && P.duration()) {
        playedText.textContent = fill(M.played,
          { percent: Math.min(100, Math.round(100 * data.watched / P.duration())) });
      }
      if (data.newly_completed) {
        announce(data.message || M.completed);
        var status = document.querySelector("[data-completion-status]");
        if (status) { status.textContent = data.message || M.completed; }
      }
    }).catch(function () {
      // Not saved (offline, or the server is restarting): the next report carries them.
      played = parts.concat(played);
      lastSaved.position = -1;
    });
  }

  video.addEventListener("timeupdate", track);
  video.addEventListener("seeking", closeOpen);
  // A new place chosen while paused is kept too, once the learner stops moving.
  var seekSave = null;
  video.addEventListener("seeked", function () {
    if (!video.paused) { return; }
    window.clearTimeout(seekSave);
    seekSave = window.setTimeout(function () { save(false); }, 1000);
  });
  video.addEventListener("pause", function () { closeOpen(); save(false); });
  window.setInterval(function () { if (!video.paused) { save(false); } }, 15000);
  window.addEventListener("pagehide", function () { closeOpen(); save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });

  /* A link to a moment: the lesson starts there (the link wins over the resume offer). */
  function linkedTime() {
    var found = /(?:^#|&)t=(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)(?:&|$)/.exec(window.location.hash);
    if (!found) { return null; }
    var parts = [found[1], found[2], found[3]].filter(function (p) { return p !== undefined; });
    return parts.reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }
  function goToLink(say) {
    var t = linkedTime();
    if (t === null) { return false; }
    P.seek(t);
    if (say) { announce(fill(M.link_opened, { position: P.spoken(t) })); }
    return true;
  }
  window.addEventListener("hashchange", function () { goToLink(true); });
  var linkBox = P.root.querySelector("[data-moment-link]");
  function link() {
    var t = Math.floor(P.now());
    var url = window.location.origin + window.location.pathname + "#t=" + t;
    var input = linkBox && linkBox.querySelector("input");
    if (input) { linkBox.hidden = false; input.value = url; }
    function select() {
      if (input) { input.focus(); input.select(); }
      announce(fill(M.link_ready, { position: P.spoken(t) }));
    }
    // The clipboard needs a secure page (HTTPS or this computer); on a plain-HTTP network the
    // link is selected in its box instead, to copy with the keyboard.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () {
        announce(fill(M.link_copied, { position: P.spoken(t) }));
      }, select);
    } else {
      select();
    }
  }

  /* Resume where the learner stopped. */
  var offer = P.root.querySelector("[data-resume-offer]");
  if (offer && linkedTime() !== null) { offer.remove(); offer = null; }
  goToLink(false);
  if (offer) {
    var at = parseFloat(P.root.getAttribute("data-resume-at"));
    var playButton = P.button("play");
    offer.querySelector("[data-resume]").addEventListener("click", function () {
      offer.hidden = true;
      P.seek(at);
      announce(fill(M.resume, { position: P.spoken(at) }));
      playButton.focus();
    });
    offer.querySelector("[data-restart]").addEventListener("click", function () {
      offer.hidden = true;
      P.seek(0);
      announce(M.restart);
      playButton.focus();
    });
    // Playing another way (the play button, a shortcut, a chapter) answers the offer too.
    P.video.addEventListener("play", function () {
      if (offer.hidden) { return; }
      var hadFocus = offer.contains(document.activeElement);
      offer.hidden = true;
      if (hadFocus) { playButton.focus(); }
    });
  }
  return { link: link };
}
