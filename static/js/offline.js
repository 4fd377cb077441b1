/* Accessible Learning: lessons to take away (issue 29). Owns saving a lesson on this device
   ("Save for offline" under a lesson's video: the page, what it names, the chosen rendition or
   the audio only, the transcript and the quiz's answer sheet, each in the browser's Cache
   Storage, one cache a lesson), deleting it, the "Saved on this device" page (what is kept, its
   size, what waits to be sent), the offline answer sheet's checks, and asking the service worker
   (sw.js) to send what waited on the device when the connection is back; what it reports is
   shown and announced. It must not answer requests itself (sw.js does) nor decide what a lesson
   needs (the server's offline.json says). Without a service worker the section stays hidden. */

var PREFIX = "al-lesson-";
var OUTBOX = "al-outbox";
var REFUSED = "al-refused";
var LOG = "al-sent";

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, function (all, name) {
    return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
  });
}
function announce(text) {
  if (window.AccessibleLearning) { window.AccessibleLearning.announce(text); }
}
function megabytes(bytes) { return (bytes / 1e6).toFixed(1) + " MB"; }
function unescapeHtml(text) {
  return text.replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, '"');
}

function supported() {
  return "serviceWorker" in navigator && "caches" in window && window.isSecureContext;
}

// The service worker looks after every page of the site once a lesson is saved.
function worker() {
  return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  });
}

// The addresses a page names: our scripts and styles (also the hls.js module the player loads
// and its worklet) and the lesson's tracks (captions, descriptions, chapters).
function namedIn(html) {
  var found = {};
  var patterns = [/"(\/static\/[^"]+)"/g, /<track\b[^>]*\bsrc="([^"]+)"/g,
                  /data-src-stem="([^"]+)"/g];
  patterns.forEach(function (pattern) {
    var match;
    while ((match = pattern.exec(html)) !== null) { found[unescapeHtml(match[1])] = true; }
  });
  return Object.keys(found);
}

function fetchOk(url, headers) {
  return fetch(url, { credentials: "same-origin", headers: headers || {} }).then(function (r) {
    if (!r.ok || r.redirected) { throw new Error(r.status + " " + url); }
    return r;
  });
}

// Fetches each address and keeps it in the cache, two at a time; calls done(bytes) after each.
function keepAll(cache, urls, done) {
  var queue = urls.slice();
  function next() {
    var url = queue.shift();
    if (url === undefined) { return Promise.resolve(); }
    return fetchOk(url).then(function (response) {
      return response.clone().blob().then(function (blob) {
        return cache.put(url, response).then(function () { done(blob.size); });
      });
    }).then(next);
  }
  return Promise.all([next(), next()]);
}

function saveLesson(section, choiceName, progress) {
  var manifest;
  var cache;
  var name;
  var bytes = 0;
  return fetchOk(section.getAttribute("data-manifest-url")).then(function (r) {
    return r.json();
  }).then(function (found) {
    manifest = found;
    name = PREFIX + manifest.lesson;
    var choice = manifest.choices.filter(function (c) { return c.name === choiceName; })[0];
    if (!choice) { throw new Error("no such version"); }
    return caches.delete(name).then(function () { return caches.open(name); }).then(function (opened) {
      cache = opened;
      return fetchOk(manifest.page);
    }).then(function (page) {
      return page.clone().text().then(function (html) {
        return cache.put(manifest.page, page).then(function () { return namedIn(html); });
      });
    }).then(function (named) {
      var total = choice.bytes;
      function done(size) {
        bytes += size;
        progress(Math.min(bytes, total), total);
      }
      var pages = manifest.fragments.map(function (url) {
        return fetchOk(url, { "HX-Request": "true" }).then(function (r) { return cache.put(url, r); });
      }).concat(manifest.quizzes.map(function (quiz) {
        // Offline, the quiz's address gives its answer sheet.
        return fetchOk(quiz.sheet).then(function (r) { return cache.put(quiz.page, r); });
      })).concat([manifest.kept, manifest.saved].map(function (url) {
        return fetchOk(url).then(function (r) { return cache.put(url, r); });
      }));
      if (choice.playlist) {  // the master playlist naming the saved rendition only
        pages.push(fetchOk(choice.playlist).then(function (r) { return cache.put(manifest.master, r); }));
      }
      return Promise.all(pages).then(function () {
        return keepAll(cache, named.concat(choice.files), done);
      }).then(function () {
        var meta = { lesson: manifest.lesson, title: manifest.title, course: manifest.course,
                     page: manifest.page, choice: choice.name, bytes: bytes, saved: Date.now() };
        return cache.put(section.getAttribute("data-meta-url"), new Response(JSON.stringify(meta),
          { headers: { "Content-Type": "application/json" } })).then(function () { return meta; });
      });
    });
  }).catch(function (error) {
    // Nothing half-saved is kept.
    return (name ? caches.delete(name) : Promise.resolve()).then(function () { throw error; });
  });
}

function whatText(holder, meta) {
  return meta.choice === "audio" ? holder.getAttribute("data-audio-text")
    : fill(holder.getAttribute("data-picture-text"), { quality: meta.choice });
}

function readMeta(url) {
  return caches.match(url).then(function (r) { return r ? r.json() : null; });
}

function setUpSaveSection(section) {
  var form = section.querySelector("[data-offline-form]");
  var status = section.querySelector("[data-offline-status]");
  var controls = section.querySelector("[data-offline-saved-controls]");
  var button = section.querySelector("[data-offline-save-button]");
  var metaUrl = section.getAttribute("data-meta-url");
  section.hidden = false;

  function showSaved(meta) {
    controls.hidden = !meta;
    if (meta) {
      status.textContent = fill(section.getAttribute("data-saved-text"),
        { what: whatText(section, meta), size: megabytes(meta.bytes) });
    }
  }
  readMeta(metaUrl).then(showSaved);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = form.querySelector("input[name=offline_choice]:checked");
    // Pressed again while saving: nothing (not disabled, so the focus stays on it).
    if (!chosen || button.getAttribute("aria-disabled") === "true") { return; }
    button.setAttribute("aria-disabled", "true");
    var lastQuarter = -1;
    worker().then(function () {
      return saveLesson(section, chosen.value, function (done, total) {
        var percent = total ? Math.floor(100 * done / total) : 0;
        var text = fill(section.getAttribute("data-saving-text"),
          { percent: percent, done: (done / 1e6).toFixed(1), total: (total / 1e6).toFixed(1) });
        // The line follows every file; it is read out at each quarter, not at every step.
        status.textContent = text;
        if (Math.floor(percent / 25) !== lastQuarter) {
          lastQuarter = Math.floor(percent / 25);
          announce(text);
        }
      });
    }).then(function (meta) {
      showSaved(meta);
      announce(status.textContent);
    }).catch(function (error) {
      status.textContent = fill(section.getAttribute("data-failed-text"),
        { reason: error && error.message ? error.message : String(error) });
      announce(status.textContent);
    }).then(function () {
      button.removeAttribute("aria-disabled");
    });
  });

  section.querySelector("[data-offline-delete]").addEventListener("click", function () {
    readMeta(metaUrl).then(function (meta) {
      return meta ? caches.delete(PREFIX + meta.lesson) : null;
    }).then(function () {
      controls.hidden = true;
      status.textContent = section.getAttribute("data-deleted-text");
      announce(status.textContent);
      button.focus();
    });
  });
}

// --- What waits to be sent: the service worker sends it and says what happened -------------

function texts() {
  var holder = document.getElementById("offline-texts");
  return holder ? JSON.parse(holder.textContent) : null;
}

// What the service worker reports: { pending, sent, messages, login }.
function outboxStatus(message) {
  var words = texts();
  if (!words) { return; }
  var parts = [];
  if (message.sent) { parts.push(fill(words.sent, { count: message.sent })); }
  (message.messages || []).forEach(function (text) { parts.push(text); });
  if (message.login) { parts.push(words.login); }
  else if (message.pending) { parts.push(fill(words.pending, { count: message.pending })); }
  else if (!message.sent) { parts.push(words.nothing); }
  var text = parts.join(" ");
  document.querySelectorAll("[data-outbox-status]").forEach(function (status) {
    status.textContent = text;  // a status region: read out where the page has one
  });
  if ((message.sent || message.messages && message.messages.length) &&
      !document.querySelector("[data-outbox-status]")) {
    announce(text);  // elsewhere, only news is announced
  }
  var sendNow = document.querySelector("[data-send-now]");
  if (sendNow) { sendNow.hidden = !message.pending; }
  listRefused();
  listSent();
}

// What was sent lately (the service worker's log), newest first: sent from whichever page
// was open when the connection came back.
function listSent() {
  var list = document.querySelector("[data-outbox-log]");
  if (!list) { return; }
  var words = texts();
  caches.open(LOG).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) {
        return cache.match(key).then(function (r) { return r.json(); });
      }));
    });
  }).then(function (entries) {
    list.textContent = "";
    entries.reverse().forEach(function (entry) {
      var li = document.createElement("li");
      var when = new Date(entry.at).toLocaleString(document.documentElement.lang);
      li.textContent = when + ": " + [fill(words.sent, { count: entry.sent })].concat(entry.messages).join(" ");
      list.appendChild(li);
    });
    var holder = document.querySelector("[data-outbox-log-section]");
    if (holder) { holder.hidden = !entries.length; }
  });
}

function listRefused() {
  var list = document.querySelector("[data-outbox-refused]");
  if (!list) { return; }
  caches.open(REFUSED).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) {
        return cache.match(key).then(function (r) { return r.json(); }).then(function (item) {
          return { key: key, item: item };
        });
      }));
    }).then(function (items) {
      list.textContent = "";
      list.hidden = !items.length;
      items.forEach(function (entry) {
        var li = document.createElement("li");
        li.textContent = entry.item.message + " ";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = texts().remove;
        remove.addEventListener("click", function () {
          cache.delete(entry.key).then(listRefused);
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
    });
  });
}

function askToSend() {
  var controller = navigator.serviceWorker.controller;
  if (controller) { controller.postMessage({ type: "send" }); }
}

// --- The "Saved on this device" page -------------------------------------------------------

function setUpSavedPage(root) {
  var list = root.querySelector("[data-saved-list]");
  var empty = root.querySelector("[data-saved-empty]");
  var storage = root.querySelector("[data-storage]");
  root.querySelector("[data-offline-unsupported]").hidden = true;

  function show() {
    return caches.keys().then(function (names) {
      var lessons = names.filter(function (n) { return n.indexOf(PREFIX) === 0; });
      return Promise.all(lessons.map(function (name) {
        return caches.open(name).then(function (cache) {
          return cache.keys().then(function (keys) {
            var metaKey = keys.filter(function (k) { return /\/offline\/lessons\/\d+\.json$/.test(k.url); })[0];
            return metaKey ? cache.match(metaKey).then(function (r) { return r.json(); }) : null;
          });
        });
      }));
    }).then(function (metas) {
      metas = metas.filter(Boolean);
      list.textContent = "";
      empty.hidden = metas.length > 0;
      empty.textContent = root.getAttribute("data-empty-text");
      var total = 0;
      metas.forEach(function (meta) {
        total += meta.bytes;
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = meta.page;
        link.textContent = meta.title;
        li.appendChild(link);
        li.appendChild(document.createTextNode(" – " + fill(root.getAttribute("data-item-text"), {
          course: meta.course, what: whatText(root, meta), size: megabytes(meta.bytes),
          date: new Date(meta.saved).toLocaleDateString(document.documentElement.lang)
        }) + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-secondary";
        remove.textContent = fill(root.getAttribute("data-delete-text"), { title: meta.title });
        remove.addEventListener("click", function () {
          caches.delete(PREFIX + meta.lesson).then(show).then(function () {
            announce(fill(root.getAttribute("data-deleted-text"), { title: meta.title }));
            root.querySelector("h1, h2").focus();
          });
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
      if (navigator.storage && navigator.storage.estimate) {
        return navigator.storage.estimate().then(function (estimate) {
          storage.hidden = false;
          storage.textContent = fill(root.getAttribute("data-storage-text"),
            { used: megabytes(total), quota: megabytes(estimate.quota || 0) });
        });
      }
    });
  }
  show();
  var sendNow = root.querySelector("[data-send-now]");
  sendNow.addEventListener("click", askToSend);
  // Before the service worker answers: what waits, counted here.
  caches.open(OUTBOX).then(function (cache) { return cache.keys(); }).then(function (keys) {
    outboxStatus({ pending: keys.length, sent: 0, messages: [] });
  });
  listSent();
}

// --- The quiz's answer sheet for offline use ------------------------------------------------

function setUpOfflineQuiz(form) {
  var summary = document.querySelector("[data-offline-errors]");
  form.addEventListener("submit", function (event) {
    var missing = [];
    form.querySelectorAll("fieldset[id^='q-']").forEach(function (fieldset, index) {
      var answered = Array.prototype.some.call(fieldset.querySelectorAll("input"), function (input) {
        return (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value.trim() !== "";
      });
      if (!answered) { missing.push({ id: fieldset.id, number: index + 1 }); }
    });
    if (missing.length) {
      event.preventDefault();
      var list = summary.querySelector("ul");
      list.textContent = "";
      missing.forEach(function (m) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + m.id + "-first";
        a.textContent = fill(form.getAttribute("data-unanswered-text"), { number: m.number });
        li.appendChild(a);
        list.appendChild(li);
      });
      summary.hidden = false;
      summary.focus();
      return;
    }
    form.querySelector("input[name=offline_id]").value =
      window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : "";
    form.querySelector("input[name=answered_at]").value = String(Date.now());
  });
}

if (supported()) {
  var section = document.querySelector("[data-offline-save]");
  if (section) { setUpSaveSection(section); }
  var savedPage = document.querySelector("[data-offline-saved]");
  if (savedPage) { setUpSavedPage(savedPage); }
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "outbox") { outboxStatus(event.data); }
  });
  if (navigator.onLine) { askToSend(); }
  window.addEventListener("online", askToSend);
}
var sheet = document.querySelector("[data-offline-quiz]");
if (sheet) { setUpOfflineQuiz(sheet); }
