/* Accessible Learning's service worker (issue 29), served as /sw.js for the whole site. Owns
   answering the site's requests when the connection fails: pages, fragments, scripts and tracks
   from the network first and from what this device saved when the network fails; a saved
   lesson's media from the device first (also for range requests); and progress reports and
   quiz answers that could not be sent, kept on the device (the "outbox") and sent, in order,
   with a fresh form token, when a page says the connection is back; what happened is posted to
   the site's open pages and kept in a short log (al-sent) for the "Saved on this device" page. It must not decide what a lesson needs nor store lessons itself
   (offline.js does, in caches named al-lesson-N). */

var OUTBOX = "al-outbox";
var REFUSED = "al-refused";
var LOG = "al-sent";  // what was sent lately, for the "Saved on this device" page
var LOG_KEEP = 10;
var KEPT = "/offline/kept";
var SAVED = "/offline";
// The requests whose body is kept on the device when they cannot be sent.
var KEEP = [/^\/lessons\/\d+\/progress$/, /^\/quizzes\/\d+\/offline-answers$/];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function fromDevice(request) {
  return caches.match(request, { ignoreVary: true });
}

// A range of a stored response, as the media element asks for it (Chromium asks for ranges
// of audio and video files).
function ranged(request, response) {
  var range = request.headers.get("Range");
  var match = range && /^bytes=(\d+)-(\d*)$/.exec(range.trim());
  if (!match) { return response; }
  return response.arrayBuffer().then(function (body) {
    var start = Number(match[1]);
    var end = match[2] ? Math.min(Number(match[2]), body.byteLength - 1) : body.byteLength - 1;
    if (start >= body.byteLength || start > end) {
      return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + body.byteLength } });
    }
    return new Response(body.slice(start, end + 1), {
      status: 206,
      headers: {
        "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
        "Content-Range": "bytes " + start + "-" + end + "/" + body.byteLength,
        "Content-Length": String(end - start + 1),
        "Accept-Ranges": "bytes"
      }
    });
  });
}

function deviceFirst(request) {
  return fromDevice(request).then(function (stored) {
    return stored ? ranged(request, stored) : fetch(request);
  });
}

function networkFirst(request) {
  return fetch(request).catch(function (error) {
    return fromDevice(request).then(function (stored) {
      if (stored) { return stored; }
      if (request.mode === "navigate") {
        return caches.match(SAVED).then(function (page) { if (page) { return page; } throw error; });
      }
      throw error;
    });
  });
}

function countOutbox() {
  return caches.open(OUTBOX).then(function (cache) { return cache.keys(); }).then(function (k) {
    return k.length;
  });
}

function report(message) {
  message.type = "outbox";
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (all) {
    all.forEach(function (client) { client.postMessage(message); });
  });
}

var sequence = 0;
function keep(request, body) {
  var item = { url: request.url, body: body, type: request.headers.get("Content-Type") || "",
               at: Date.now() };
  var key = "/offline/outbox/" + Date.now() + "-" + (sequence++);
  return caches.open(OUTBOX).then(function (cache) {
    return cache.put(key, new Response(JSON.stringify(item), { headers: { "Content-Type": "application/json" } }));
  }).then(countOutbox).then(function (pending) {
    return report({ pending: pending, sent: 0, messages: [] });
  });
}

function sendOrKeep(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) { return keep(copy, body); }).then(function () {
      if (request.mode === "navigate") {  // a form: the page that says the answers wait here
        return caches.match(KEPT).then(function (page) {
          return page || new Response("Kept on this device.", { status: 202 });
        });
      }
      return new Response(JSON.stringify({ kept: true }),
        { status: 202, headers: { "Content-Type": "application/json" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js") { return; }
  if (request.method === "POST") {
    if (KEEP.some(function (pattern) { return pattern.test(url.pathname); })) {
      event.respondWith(sendOrKeep(request));
    }
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf("/media/") === 0) { event.respondWith(deviceFirst(request)); return; }
  event.respondWith(networkFirst(request));
});

// Sends what waited, oldest first. Stops at the first that cannot be sent (no connection, the
// server failing, or the session over: the rest keeps its order); one the server refuses is set
// aside with the server's reason, for the learner to read on the "Saved on this device" page.
var sending = null;
function send() {
  if (sending) { return sending; }
  sending = caches.open(OUTBOX).then(function (outbox) {
    return outbox.keys().then(function (keys) {
      if (!keys.length) { return report({ pending: 0, sent: 0, messages: [] }); }
      return fetch("/offline/token", { credentials: "same-origin", redirect: "manual" }).then(function (r) {
        if (!r.ok) { return report({ pending: keys.length, sent: 0, messages: [], login: true }); }
        return r.json().then(function (data) { return sendAll(outbox, keys, data.token); });
      }, function () {
        return report({ pending: keys.length, sent: 0, messages: [] });
      });
    });
  }).then(function () { sending = null; }, function () { sending = null; });
  return sending;
}

function sendAll(outbox, keys, token) {
  var sent = 0;
  var messages = [];
  var login = false;
  function next(index) {
    if (index >= keys.length) { return Promise.resolve(); }
    var key = keys[index];
    return outbox.match(key).then(function (r) { return r.json(); }).then(function (item) {
      var body = item.body;
      if (item.type.indexOf("application/x-www-form-urlencoded") === 0) {
        var form = new URLSearchParams(body);
        form.set("csrf_token", token);
        body = form.toString();
      }
      return fetch(item.url, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": item.type, "X-CSRFToken": token, "X-Offline-Replay": "1" }
      }).then(function (response) {
        if (response.type === "opaqueredirect") { login = true; return false; }
        if (response.ok) {
          sent += 1;
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (data && data.message) { messages.push(data.message); }
            return outbox.delete(key);
          }).then(function () { return true; });
        }
        if (response.status === 409 || response.status === 400 || response.status === 404) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            var refused = { url: item.url, body: item.body, type: item.type, at: item.at,
                            message: (data && (data.message || data.error)) || ("" + response.status) };
            messages.push(refused.message);
            return caches.open(REFUSED).then(function (cache) {
              return cache.put(key, new Response(JSON.stringify(refused)));
            }).then(function () { return outbox.delete(key); });
          }).then(function () { return true; });
        }
        return false;  // the server is failing: try again later
      }, function () { return false; });
    }).then(function (goOn) { return goOn ? next(index + 1) : null; });
  }
  return next(0).then(function () {
    if (!sent && !messages.length) { return null; }
    return caches.open(LOG).then(function (log) {
      var entry = { at: Date.now(), sent: sent, messages: messages };
      return log.put("/offline/sent/" + entry.at, new Response(JSON.stringify(entry))).then(function () {
        return log.keys();
      }).then(function (keys) {  // the newest few only
        return Promise.all(keys.slice(0, Math.max(0, keys.length - LOG_KEEP)).map(function (k) {
          return log.delete(k);
        }));
      });
    });
  }).then(countOutbox).then(function (pending) {
    return report({ pending: pending, sent: sent, messages: messages, login: login });
  });
}

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "send") { event.waitUntil(send()); }
});
