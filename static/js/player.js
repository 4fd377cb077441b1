/* Accessible Learning: the lesson player's own controls, keyboard shortcuts, interactive
   transcript, progress, audio-description modes and voice commands. Without this file the page
   has a plain <video controls> with its tracks, and the transcript as a page. */
(function () {
  "use strict";

  function announce(text) {
    if (window.AccessibleLearning) { window.AccessibleLearning.announce(text); }
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }
  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function post(url, body, type, keepalive) {
    var headers = { "X-CSRFToken": csrfToken() };
    if (type) { headers["Content-Type"] = type; }
    return fetch(url, {
      method: "POST", body: body, headers: headers, credentials: "same-origin",
      keepalive: !!keepalive
    });
  }
  var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  // play() is refused when a pause or another file interrupts it; that is not an error.
  function playVideo(video) {
    var started = video.play();
    if (started && started.catch) { started.catch(function () { /* interrupted */ }); }
  }

  /* Audio description modes (the described and extended versions are other files; switching
     keeps the place, mapped through the extended version's pauses) and text descriptions from
     the descriptions track, spoken by the browser or sent to the screen reader. */
  function setUpDescriptions(root, video) {
    var messages = root.querySelector("[data-description-messages]");
    var pauses = JSON.parse(root.getAttribute("data-pauses") || "[]");
    var lang = root.getAttribute("data-lang") || "";
    var sources = {
      off: root.getAttribute("data-src-original"),
      described: root.getAttribute("data-src-described"),
      extended: root.getAttribute("data-src-extended")
    };
    var current = "off";
    var lastOn = "described";
    var pausedForDescription = false;
    var pending = null;  // the lesson position while another file loads
    var restore = null;  // puts the position back once it has
    var playAfter = false;  // and whether to go on playing then

    function toExtended(t) {
      var shift = 0;
      pauses.forEach(function (p) { if (p.at <= t) { shift += p.length; } });
      return t + shift;
    }
    function fromExtended(t) {
      var shift = 0;
      for (var i = 0; i < pauses.length; i++) {
        var start = pauses[i].at + shift;
        if (t < start) { break; }
        if (t < start + pauses[i].length) { return pauses[i].at; }
        shift += pauses[i].length;
      }
      return t - shift;
    }
    function descriptionsTrack() {
      for (var i = 0; i < video.textTracks.length; i++) {
        if (video.textTracks[i].kind === "descriptions") { return video.textTracks[i]; }
      }
      return null;
    }
    function resume() {
      if (pausedForDescription) { pausedForDescription = false; playVideo(video); }
    }
    function onCue() {
      if (current !== "speech" && current !== "screen-reader") { return; }
      var track = descriptionsTrack();
      var cues = track && track.activeCues;
      if (!cues) { return; }
      // Descriptions that start together are read as one, so that none is cut off.
      var texts = [];
      var extended = false;
      for (var i = 0; i < cues.length; i++) {
        var cue = cues[i];
        if (cue.spoken) { continue; }
        cue.spoken = true;
        extended = extended || /extended$/.test(cue.id || "");
        texts.push(cue.text.replace(/<[^>]*>/g, "").replace(/\s+/g, " "));
      }
      if (!texts.length) { return; }
      var text = texts.join(" ");
      if (extended && !video.paused) {
        video.pause();
        pausedForDescription = true;
      }
      if (current === "speech" && window.speechSynthesis) {
        var utterance = new window.SpeechSynthesisUtterance(text);
        utterance.lang = lang;
        utterance.onend = resume;
        utterance.onerror = resume;
        window.speechSynthesis.speak(utterance);
      } else {
        announce(text);
        if (extended) { window.setTimeout(resume, Math.max(2000, text.length * 120)); }
      }
    }
    function fileMode(mode) { return (mode === "described" || mode === "extended") ? mode : "off"; }
    function lessonTime() {
      if (pending !== null) { return pending; }
      return current === "extended" ? fromExtended(video.currentTime) : video.currentTime;
    }
    function fileTime(t) { return current === "extended" ? toExtended(t) : t; }
    function choose(mode, quiet) {
      var position = lessonTime();
      var wasPlaying = pending !== null ? playAfter : !video.paused;
      var newFile = fileMode(mode);
      var currentFile = fileMode(current);
      current = mode;
      if (mode !== "off") { lastOn = mode; }
      var track = descriptionsTrack();
      if (track) {
        track.mode = (mode === "speech" || mode === "screen-reader") ? "hidden" : "disabled";
        if (track.cues) { for (var i = 0; i < track.cues.length; i++) { track.cues[i].spoken = false; } }
      }
      if (window.speechSynthesis && mode !== "speech") { window.speechSynthesis.cancel(); }
      if (newFile !== currentFile && sources[newFile]) {
        pending = position;
        playAfter = wasPlaying;
        if (restore) { video.removeEventListener("loadedmetadata", restore); }
        restore = function () {
          video.removeEventListener("loadedmetadata", restore);
          restore = null;
          video.currentTime = newFile === "extended" ? toExtended(pending) : pending;
          pending = null;
          if (playAfter) { playVideo(video); }
        };
        video.addEventListener("loadedmetadata", restore);
        video.src = sources[newFile];
        video.load();
      }
      var label = root.querySelector("label[for='description-mode-" + mode + "']");
      if (!quiet && messages && label) {
        announce((messages.getAttribute("data-on-text") || "{mode}").replace("{mode}", label.textContent));
      }
    }
    function select(mode) {
      var radio = root.querySelector("input[name='description-mode'][value='" + mode + "']");
      if (radio) { radio.checked = true; }
      choose(mode);
    }
    var track = descriptionsTrack();
    if (track) {
      track.mode = "disabled";
      track.addEventListener("cuechange", onCue);
    }
    root.querySelectorAll("input[name='description-mode']").forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) { choose(radio.value); } });
    });
    var checked = root.querySelector("input[name='description-mode']:checked");
    if (checked && checked.value !== "off") { choose(checked.value, true); }
    return {
      lessonTime: lessonTime,
      fileTime: fileTime,
      loading: function () { return pending !== null; },
      on: function (on) { select(on ? lastOn : "off"); },
      isOn: function () { return current !== "off"; },
      seekWhileLoading: function (t) { if (pending !== null) { pending = t; return true; } return false; }
    };
  }

  /* Voice commands: push to talk. The microphone is opened only while listening; the
     utterance (found by its loudness) goes to this server as 16 kHz mono 16-bit PCM. */
  function VoiceInput(root, M, onCommand) {
    var button = root.querySelector("[data-action='voice']");
    var url = root.getAttribute("data-voice-url");
    var workletUrl = root.getAttribute("data-worklet-url");
    var RATE = 16000;
    var THRESHOLD = 0.02;
    var state = null;

    function setPressed(on) { if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); } }
    function stop() {
      if (!state) { return; }
      window.clearTimeout(state.timer);
      state.stream.getTracks().forEach(function (t) { t.stop(); });
      state.context.close();
      state = null;
      setPressed(false);
    }
    function send(samples) {
      var pcm = new Int16Array(samples.length);
      for (var i = 0; i < samples.length; i++) {
        pcm[i] = clamp(Math.round(samples[i] * 32767), -32768, 32767);
      }
      return post(url, pcm.buffer, "application/octet-stream").then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { announce(data.error || fill(M.voice_error, { error: response.status })); return; }
          onCommand(data);
        });
      }).catch(function () {
        announce(document.documentElement.getAttribute("data-offline-text"));
      });
    }
    function finish() {
      if (!state) { return; }
      var samples = state.speech;
      stop();
      var total = 0;
      samples.forEach(function (frame) { total += frame.length; });
      var joined = new Float32Array(total);
      var offset = 0;
      samples.forEach(function (frame) { joined.set(frame, offset); offset += frame.length; });
      send(joined);
    }
    function onFrame(frame) {
      if (!state) { return; }
      var sum = 0;
      for (var i = 0; i < frame.length; i++) { sum += frame[i] * frame[i]; }
      var loud = Math.sqrt(sum / frame.length) > THRESHOLD;
      var ms = 1000 * frame.length / RATE;
      if (!state.speaking) {
        // Speech already going on when the button was pressed is not the learner's command.
        if (!loud) { state.quietMs += ms; }
        state.preroll.push(frame);
        while (state.preroll.length > 40) { state.preroll.shift(); }  // about 0.3 s
        if (loud && state.quietMs >= 100) {
          state.speaking = true;
          state.speech = state.preroll.slice();
          state.trailingMs = 0;
          state.speechMs = 0;
        } else if (loud) {
          state.quietMs = 0;
        }
        return;
      }
      state.speech.push(frame);
      state.speechMs += ms;
      state.trailingMs = loud ? 0 : state.trailingMs + ms;
      if (state.trailingMs >= 600 || state.speechMs >= 6000) { finish(); }
    }
    function start() {
      if (state) { finish(); return; }
      if (!navigator.mediaDevices || !window.AudioContext || !window.AudioWorkletNode) {
        announce(M.voice_no_microphone);
        return;
      }
      setPressed(true);
      var opening = { stream: null, context: null };
      navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } }).then(function (stream) {
        opening.stream = stream;
        opening.context = new window.AudioContext({ sampleRate: RATE });
        return opening.context.audioWorklet.addModule(workletUrl);
      }).then(function () {
        var context = opening.context;
        var source = context.createMediaStreamSource(opening.stream);
        var node = new window.AudioWorkletNode(context, "pcm-capture");
        var silent = context.createGain();
        silent.gain.value = 0;
        source.connect(node);
        node.connect(silent);
        silent.connect(context.destination);
        state = {
          stream: opening.stream, context: context, speaking: false, quietMs: 0, preroll: [],
          speech: [], trailingMs: 0, speechMs: 0,
          timer: window.setTimeout(function () {
            if (state && !state.speaking) { stop(); announce(M.voice_no_speech); }
          }, 8000)
        };
        node.port.onmessage = function (event) { onFrame(event.data); };
        announce(M.voice_listening);
      }).catch(function () {
        if (opening.stream) { opening.stream.getTracks().forEach(function (t) { t.stop(); }); }
        if (opening.context) { opening.context.close(); }
        setPressed(false);
        announce(M.voice_no_microphone);
      });
    }
    return { toggle: start };
  }

  function setUpPlayer(root) {
    var video = root.querySelector("video");
    var controls = root.querySelector("[data-controls]");
    if (!video || !controls) { return; }
    var M = JSON.parse(root.getAttribute("data-messages") || "{}");
    var shortcuts = JSON.parse(root.getAttribute("data-shortcuts") || "{}");
    var area = root.closest("[data-lesson-player]") || root;
    var screen = root.querySelector("[data-screen]");
    var seekSlider = root.querySelector("[data-seek-slider]");
    var volume = root.querySelector("[data-volume]");
    var speedSelect = root.querySelector("[data-speed]");
    var timeText = root.querySelector("[data-time]");
    var playButton = root.querySelector("[data-action='play']");
    var transcriptPanel = document.getElementById("transcript-panel");
    var help = root.querySelector("dialog.player-help");
    var title = root.getAttribute("data-title") || "";
    var knownDuration = parseFloat(root.getAttribute("data-duration")) || 0;
    var progressUrl = root.getAttribute("data-progress-url");
    var preferencesUrl = root.getAttribute("data-preferences-url");
    var described = root.hasAttribute("data-described-player") ? setUpDescriptions(root, video) : null;
    var dragging = false;

    video.controls = false;
    video.preservesPitch = true;

    function button(action) { return root.querySelector("[data-action='" + action + "']"); }
    function press(action, on) {
      var b = button(action);
      if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
    }
    function now() { return described ? described.lessonTime() : video.currentTime; }
    function duration() { return knownDuration || video.duration || 0; }
    function seek(t) {
      t = clamp(t, 0, Math.max(0, duration() - 0.1));
      if (described && described.seekWhileLoading(t)) { return; }
      video.currentTime = described ? described.fileTime(t) : t;
      showTime(t);
    }
    function spoken(t) {
      t = Math.max(0, Math.round(t));
      var m = Math.floor(t / 60);
      var s = t % 60;
      var parts = [];
      if (m) { parts.push(fill(m === 1 ? M.minute_one : M.minute_other, { n: m })); }
      if (s || !m) { parts.push(fill(s === 1 ? M.second_one : M.second_other, { n: s })); }
      return parts.join(" ");
    }
    function clock(t) {
      t = Math.max(0, Math.floor(t));
      var h = Math.floor(t / 3600);
      var m = Math.floor((t % 3600) / 60);
      var s = t % 60;
      var mm = h ? String(m).padStart(2, "0") : String(m);
      return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
    }
    function showTime(t) {
      if (t === undefined) { t = now(); }
      if (timeText) { timeText.textContent = clock(t) + " / " + clock(duration()); }
      if (seekSlider && !dragging) {
        seekSlider.max = String(Math.round(duration()));
        seekSlider.value = String(Math.floor(t));
        seekSlider.setAttribute("aria-valuetext",
          fill(M.time_of, { position: spoken(t), duration: spoken(duration()) }));
      }
    }
    function savePreference(name, value) {
      if (!preferencesUrl) { return; }
      var form = new FormData();
      form.append(name, String(value));
      post(preferencesUrl, form).catch(function () { /* kept for this page anyway */ });
    }

    /* Captions */
    function captionsTrack() {
      for (var i = 0; i < video.textTracks.length; i++) {
        var t = video.textTracks[i];
        if (t.kind === "captions" || t.kind === "subtitles") { return t; }
      }
      return null;
    }
    function setCaptions(on) {
      var t = captionsTrack();
      if (!t) { announce(M.no_captions); return; }
      t.mode = on ? "showing" : "disabled";
      press("captions", on);
      announce(on ? M.captions_on : M.captions_off);
      savePreference("captions_on", on);
    }
    var initialCaptions = captionsTrack();
    if (initialCaptions) {
      var wanted = button("captions") && button("captions").getAttribute("aria-pressed") === "true";
      initialCaptions.mode = wanted ? "showing" : "disabled";
    }

    /* Speed */
    function setSpeed(speed, quiet) {
      speed = clamp(speed, SPEEDS[0], SPEEDS[SPEEDS.length - 1]);
      video.defaultPlaybackRate = speed;
      video.playbackRate = speed;
      if (speedSelect) { speedSelect.value = String(speed); }
      if (!quiet) {
        announce(fill(M.speed, { speed: String(speed) }));
        savePreference("playback_speed", speed);
      }
    }
    function stepSpeed(direction) {
      var current = video.playbackRate;
      var next = direction > 0 ? SPEEDS.find(function (s) { return s > current + 0.01; })
        : SPEEDS.slice().reverse().find(function (s) { return s < current - 0.01; });
      setSpeed(next === undefined ? current : next);
    }
    setSpeed(parseFloat(root.getAttribute("data-playback-speed")) || 1, true);
    video.addEventListener("loadedmetadata", function () {
      video.playbackRate = video.defaultPlaybackRate;
      showTime();
    });

    /* Transcript */
    var autoscroll = true;
    var currentLine = null;
    function setTranscript(show, focus) {
      if (!transcriptPanel) { return; }
      // Focus is never lost with the panel: it goes to the button that brings it back.
      if (!show && transcriptPanel.contains(document.activeElement) && button("transcript")) {
        button("transcript").focus();
      }
      transcriptPanel.hidden = !show;
      press("transcript", show);
      announce(show ? M.transcript_shown : M.transcript_hidden);
      if (show && focus) {
        var heading = transcriptPanel.querySelector("h2");
        if (heading) { heading.focus(); }
      }
    }
    function highlight(t) {
      if (!transcriptPanel) { return; }
      var lines = transcriptPanel.querySelectorAll("[data-seek]");
      var found = null;
      for (var i = 0; i < lines.length; i++) {
        if (parseFloat(lines[i].getAttribute("data-seek")) <= t + 0.05) { found = lines[i]; }
      }
      if (found === currentLine) { return; }
      if (currentLine) { currentLine.removeAttribute("aria-current"); }
      currentLine = found;
      if (!found) { return; }
      found.setAttribute("aria-current", "true");
      var box = transcriptPanel.querySelector(".transcript-scroll");
      if (autoscroll && box && !box.contains(document.activeElement)) {
        var reduce = document.body.classList.contains("reduce-motion") ||
          window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        box.scrollTo({ top: Math.max(0, found.offsetTop - box.clientHeight / 3),
                       behavior: reduce ? "auto" : "smooth" });
      }
    }
    function lastCaption() {
      var t = captionsTrack();
      var here = now();
      var best = null;
      if (t && t.cues) {
        for (var i = 0; i < t.cues.length; i++) {
          if (t.cues[i].startTime <= here + 0.05) { best = t.cues[i]; }
        }
      }
      return best;
    }

    /* Progress: the parts played (each counted once by the server) and the position. */
    var played = [];
    var open = null;
    var last = null;
    var lastSaved = { position: -1 };
    function closeOpen() {
      if (open && open[1] - open[0] > 0.2) { played.push([open[0], open[1]]); }
      open = null;
      last = null;
    }
    var usedFeatures = {};  // which accessibility features were on while playing (for counts)
    function track() {
      if (video.paused || video.seeking || (described && described.loading())) { last = null; return; }
      var ct = captionsTrack();
      if (ct && ct.mode === "showing") { usedFeatures.captions = true; }
      if (described && described.isOn()) { usedFeatures.descriptions = true; }
      var t = now();
      if (last !== null && t >= last && t - last < 2.5) {
        if (!open) { open = [last, t]; } else { open[1] = t; }
      } else {
        closeOpen();
      }
      last = t;
    }
    function saveProgress(leaving) {
      if (!progressUrl) { return; }
      var parts = played.slice();
      if (open && open[1] - open[0] > 0.2) { parts.push([open[0], open[1]]); }
      var position = now();
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
        if (playedText && duration()) {
          playedText.textContent = fill(M.played,
            { percent: Math.min(100, Math.round(100 * data.watched / duration())) });
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
    video.addEventListener("timeupdate", function () {
      track();
      var t = now();
      showTime(t);
      highlight(t);
    });
    video.addEventListener("seeking", closeOpen);
    // A new place chosen while paused is kept too, once the learner stops moving.
    var seekSave = null;
    video.addEventListener("seeked", function () {
      if (!video.paused) { return; }
      window.clearTimeout(seekSave);
      seekSave = window.setTimeout(function () { saveProgress(false); }, 1000);
    });
    video.addEventListener("pause", function () { closeOpen(); saveProgress(false); });
    window.setInterval(function () { if (!video.paused) { saveProgress(false); } }, 15000);
    window.addEventListener("pagehide", function () { closeOpen(); saveProgress(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { saveProgress(true); }
    });

    /* Play and pause */
    function syncPlay() {
      if (!playButton) { return; }
      playButton.textContent = playButton.getAttribute(video.paused ? "data-play-text" : "data-pause-text");
    }
    video.addEventListener("play", syncPlay);
    video.addEventListener("pause", syncPlay);
    video.addEventListener("click", function () { run("play_pause"); });

    /* Full screen: the player's screen, so that our controls and captions stay. */
    document.addEventListener("fullscreenchange", function () {
      var on = document.fullscreenElement === screen;
      press("fullscreen", on);
      announce(on ? M.fullscreen_on : M.fullscreen_off);
    });

    function navigate(which) {
      var url = root.getAttribute("data-" + which + "-url");
      if (!url) { announce(which === "next" ? M.no_next : M.no_previous); return; }
      announce(fill(which === "next" ? M.next_lesson : M.previous_lesson,
        { title: root.getAttribute("data-" + which + "-title") }));
      window.setTimeout(function () { window.location.assign(url); }, 1200);
    }
    function openHelp() {
      if (!help || help.open) { return; }
      var opener = document.activeElement;
      help.addEventListener("close", function restoreFocus() {
        help.removeEventListener("close", restoreFocus);
        if (opener && opener.focus) { opener.focus(); }
      });
      help.showModal();
      var heading = help.querySelector("h2");
      if (heading) { heading.focus(); }
    }

    var voice = VoiceInput(root, M, function (result) { onVoice(result); });

    var actions = {
      play_pause: function () { return video.paused ? actions.play() : actions.pause(); },
      play: function () { playVideo(video); announce(M.play); },
      pause: function () { video.pause(); announce(M.pause); },
      back: function (args) {
        var n = (args && args.seconds) || 10;
        seek(now() - n);
        announce(fill(M.back, { seconds: n }));
      },
      forward: function (args) {
        var n = (args && args.seconds) || 10;
        seek(now() + n);
        announce(fill(M.forward, { seconds: n }));
      },
      faster: function () { stepSpeed(1); },
      slower: function () { stepSpeed(-1); },
      normal_speed: function () { setSpeed(1); },
      mute: function () {
        video.muted = !video.muted;
        press("mute", video.muted);
        announce(video.muted ? M.mute : M.unmute);
      },
      captions: function () { var t = captionsTrack(); setCaptions(!(t && t.mode === "showing")); },
      captions_on: function () { setCaptions(true); },
      captions_off: function () { setCaptions(false); },
      descriptions: function () {
        if (!described) { announce(M.no_descriptions); return; }
        described.on(!described.isOn());
      },
      descriptions_on: function () {
        if (!described) { announce(M.no_descriptions); return; }
        described.on(true);
      },
      descriptions_off: function () {
        if (!described) { announce(M.no_descriptions); return; }
        described.on(false);
      },
      transcript: function (args, source) {
        setTranscript(transcriptPanel ? transcriptPanel.hidden : false, source === "voice");
      },
      repeat: function () {
        var cue = lastCaption();
        if (!cue) { announce(M.nothing_to_repeat); return; }
        seek(cue.startTime);
        playVideo(video);
        announce(fill(M.repeat, { text: cue.text.replace(/<[^>]*>/g, "") }));
      },
      where: function () {
        announce(fill(M.where, { position: spoken(now()), duration: spoken(duration()), title: title }));
      },
      next_lesson: function () { navigate("next"); },
      previous_lesson: function () { navigate("previous"); },
      fullscreen: function () {
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (screen && screen.requestFullscreen) { screen.requestFullscreen(); }
      },
      help: function (args, source) {
        openHelp();
        if (source === "voice") { announce(M.voice_help); }
      },
      voice: function () { voice.toggle(); }
    };
    function run(action, args, source) {
      if (actions[action]) { actions[action](args || {}, source || "button"); }
    }
    function onVoice(result) {
      if (!result || result.command === "none" || !actions[result.command]) {
        announce(fill(M.voice_not_understood, root.dataset.voiceExample ?
          JSON.parse(root.dataset.voiceExample) : { example: "", help: "" }));
        return;
      }
      run(result.command, result.args, "voice");
    }
    root.onVoiceResult = onVoice;

    controls.addEventListener("click", function (event) {
      var target = event.target.closest("[data-action]");
      if (target) { run(target.getAttribute("data-action") === "play" ? "play_pause" : target.getAttribute("data-action")); }
    });
    area.addEventListener("keydown", function (event) {
      if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
      var action = shortcuts[event.code];
      if (!action) { return; }
      event.preventDefault();
      run(action === "play" ? "play_pause" : action, {}, "key");
    });

    if (seekSlider) {
      seekSlider.addEventListener("pointerdown", function () { dragging = true; });
      seekSlider.addEventListener("pointerup", function () { dragging = false; });
      seekSlider.addEventListener("input", function () {
        seek(parseFloat(seekSlider.value));
        seekSlider.setAttribute("aria-valuetext",
          fill(M.time_of, { position: spoken(parseFloat(seekSlider.value)), duration: spoken(duration()) }));
      });
    }
    if (volume) {
      volume.addEventListener("input", function () {
        video.volume = parseInt(volume.value, 10) / 100;
        volume.setAttribute("aria-valuetext", volume.value + "%");
      });
    }
    if (speedSelect) {
      speedSelect.addEventListener("change", function () { setSpeed(parseFloat(speedSelect.value)); });
    }

    /* Caption style: applied at once, saved in the learner's preferences. */
    var style = root.querySelector("[data-caption-style]");
    if (style) {
      style.addEventListener("change", function (event) {
        var select = event.target;
        var prefix = select.getAttribute("data-class-prefix");
        if (!prefix) { return; }
        Array.prototype.slice.call(document.body.classList).forEach(function (name) {
          if (name.indexOf(prefix) === 0) { document.body.classList.remove(name); }
        });
        document.body.classList.add(prefix + select.value);
        var form = new FormData();
        form.append(select.name, select.value);
        post(preferencesUrl, form).then(function (response) {
          if (response.ok) { announce(M.style_saved); }
          else { response.text().then(announce); }
        }).catch(function () { announce(document.documentElement.getAttribute("data-offline-text")); });
      });
    }

    /* Resume where the learner stopped. */
    var offer = root.querySelector("[data-resume-offer]");
    if (offer) {
      var at = parseFloat(root.getAttribute("data-resume-at"));
      offer.querySelector("[data-resume]").addEventListener("click", function () {
        offer.hidden = true;
        seek(at);
        announce(fill(M.resume, { position: spoken(at) }));
        playButton.focus();
      });
      offer.querySelector("[data-restart]").addEventListener("click", function () {
        offer.hidden = true;
        seek(0);
        announce(M.restart);
        playButton.focus();
      });
    }

    /* Chapters: each button plays from its chapter's start; the current one is marked. */
    var chapterButtons = root.querySelectorAll("[data-chapter]");
    chapterButtons.forEach(function (chapter) {
      chapter.addEventListener("click", function () {
        seek(parseFloat(chapter.getAttribute("data-chapter")));
        playVideo(video);
      });
    });
    video.addEventListener("timeupdate", function () {
      var t = now();
      var found = null;
      chapterButtons.forEach(function (chapter) {
        if (parseFloat(chapter.getAttribute("data-chapter")) <= t + 0.05) { found = chapter; }
      });
      chapterButtons.forEach(function (chapter) {
        if (chapter === found) { chapter.setAttribute("aria-current", "true"); }
        else { chapter.removeAttribute("aria-current"); }
      });
    });

    /* The transcript panel (loaded by htmx): lines seek the video; follow the video or not. */
    area.addEventListener("click", function (event) {
      var line = event.target.closest("[data-seek]");
      if (line && transcriptPanel && transcriptPanel.contains(line)) {
        seek(parseFloat(line.getAttribute("data-seek")));
        playVideo(video);
        return;
      }
      var follow = event.target.closest("[data-autoscroll]");
      if (follow) {
        autoscroll = follow.getAttribute("aria-pressed") !== "true";
        follow.setAttribute("aria-pressed", autoscroll ? "true" : "false");
        announce(autoscroll ? M.follow_on : M.follow_off);
      }
    });
    document.addEventListener("htmx:afterSwap", function (event) {
      if (!transcriptPanel || !transcriptPanel.contains(event.detail.target)) { return; }
      var follow = transcriptPanel.querySelector("[data-autoscroll]");
      if (follow) { autoscroll = follow.getAttribute("aria-pressed") === "true"; }
      currentLine = null;
      highlight(now());
    });
    showTime(0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-player][data-messages]").forEach(setUpPlayer);
  });
})();
