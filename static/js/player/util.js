/* Accessible Learning player: small helpers every player module shares (announcing through the
   page's live region, filling message templates, posting with the CSRF token, playing without
   an error when a pause interrupts). Owns no state and must not touch the player's elements. */

export function announce(text) {
  if (window.AccessibleLearning) { window.AccessibleLearning.announce(text); }
}

export function fill(template, values) {
  return (template || "").replace(/\{(\w+)\}/g, function (all, key) {
    return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
  });
}

export function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }

function csrfToken() {
  try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
  catch (e) { return ""; }
}

export function post(url, body, type, keepalive) {
  var headers = { "X-CSRFToken": csrfToken() };
  if (type) { headers["Content-Type"] = type; }
  return fetch(url, {
    method: "POST", body: body, headers: headers, credentials: "same-origin",
    keepalive: !!keepalive
  });
}

// Saves one preference from the player and says so: `saved` once the server has kept it, the
// server's own words when it refused the value, the offline message when it could not be sent.
// One save of a preference is sent at a time: a change made meanwhile (an arrow key held on a
// slider) waits for it and only the newest is sent then, so the last value chosen is the one
// kept, whichever order the server would have finished them in.
var saving = {};
export function savePreference(url, name, value, saved) {
  var state = saving[name] || (saving[name] = { busy: false, next: null });
  if (state.busy) {
    state.next = [value, saved];
    return Promise.resolve();
  }
  state.busy = true;
  var form = new FormData();
  form.append(name, String(value));
  return post(url, form).then(function (response) {
    if (response.ok) { if (saved && !state.next) { announce(saved); } }
    else { response.text().then(announce); }
  }).catch(function () { announce(offlineText()); }).then(function () {
    state.busy = false;
    var next = state.next;
    state.next = null;
    if (next) { return savePreference(url, name, next[0], next[1]); }
  });
}

// play() is refused when a pause or another file interrupts it; that is not an error.
export function playVideo(video) {
  var started = video.play();
  if (started && started.catch) { started.catch(function () { /* interrupted */ }); }
}

export function offlineText() {
  return document.documentElement.getAttribute("data-offline-text");
}

// A caption's start in the lesson's time, whichever version plays (descriptions.js retimes the
// cues for the extended version and keeps their lesson times).
export function lessonStart(cue) {
  return cue.lessonStart === undefined ? cue.startTime : cue.lessonStart;
}
