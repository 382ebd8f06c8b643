/* The kiosk: one question per screen, big buttons, an attract screen, a thank-you screen and
 * an idle timeout that clear the form, a guard against repeated presses, and an outbox in
 * IndexedDB so that no answer is lost when the network drops.
 *
 * The first tap is the answer: it is queued (and sent) at once under a new UUID, so someone who
 * taps a face and walks away is counted. What the citizen adds afterwards (a reason, a
 * comment) is optional and sent again under the same UUID: the server replaces that
 * response's answers (KIOSK_AMEND_SECONDS). Each version of an entry carries `rev`, so a reply
 * to an older version never removes a newer one from the outbox.
 *
 * A dissatisfied rating or a comment (#23): the server's answer to a submission or an amend
 * then carries an offer (the signed link of that response, its QR code, the unit and its
 * working days). The thank-you screen shows what the server answered last for this citizen's
 * response: the QR code to scan with their own phone (nothing is typed on a shared kiosk), for
 * KIOSK_IDLE + COUNTDOWN seconds. An answer still queued offline has no server answer, so the
 * screen says nothing of a case. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("kiosk-config").textContent);
  var form = document.getElementById("kiosk-form");
  var attract = document.getElementById("attract");
  var thanks = document.getElementById("thanks");
  var idleBox = document.getElementById("idle");
  var countdown = document.getElementById("countdown");
  var queueNote = document.getElementById("queue");
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var savedNote = document.getElementById("saved");
  var current = 0, ignored = 0, lastPress = 0, suppress = false;
  var idleTimer = null, tickTimer = null, thanksTimer = null, flushing = false, again = false;
  var advanceTimer = null;
  var entry = null;  // this citizen's response once the first answer is given
  var sentAnswers = "";  // the answers of the entry's last queued version (JSON)
  var offerBox = document.getElementById("offer");
  var doneButton = document.getElementById("done");
  var thanked = null;  // the id of the response whose thank-you screen is showing
  var offers = {};  // response id -> the offer in the server's last answer for it (or null)

  document.body.classList.add("js");

  /* ---- outbox: answers wait here, under their UUID, until the server has them ---- */
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("hailong-kiosk", 2);
      req.onupgradeneeded = function () {
        var names = req.result.objectStoreNames;
        if (!names.contains("outbox")) req.result.createObjectStore("outbox", { keyPath: "id" });
        // Answers the server refused (4xx): kept aside for an officer, never retried, so
        // one bad answer cannot hold back the queue behind it.
        if (!names.contains("refused")) req.result.createObjectStore("refused", { keyPath: "id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function outbox(mode, action, name) {
    name = name || "outbox";
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var req = action(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(req.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function later(seconds) {
    var error = new Error("retry later");
    error.retryAfter = seconds;
    return error;
  }
  function send(entry) {
    return fetch(cfg.api, {
      method: "POST", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept-Language": cfg.lang },
      body: JSON.stringify(entry)
    }).then(function (response) {
      // 429: the server asks the whole queue to wait (Retry-After); 5xx and 408: this answer
      // waits for the next round while the others go on. 2xx is final (201 stored, 200
      // already stored, 202 counted but refused as too fast); any other 4xx is set aside.
      if (response.status === 429) {
        throw later(parseInt(response.headers.get("Retry-After"), 10) || 60);
      }
      if (response.status >= 500 || response.status === 408) return false;
      var done = outbox("readwrite", function (store) {
        var current = store.get(entry.id);  // delete only the version that was sent
        current.onsuccess = function () {
          if (current.result && current.result.rev === entry.rev) store.delete(entry.id);
        };
        return current;
      });
      if (response.ok) {
        return done.then(function () {
          return response.json().then(heard(entry), function () {});
        }).then(function () { return true; });
      }
      console.warn("kiosk: the server refused a response", response.status);
      return done.then(function () {
        return outbox("readwrite", function (store) {
          return store.put({ id: entry.id, status: response.status, entry: entry });
        }, "refused");
      }).then(function () { return true; });
    }, function () { throw later(0); });  /* offline: the rest would fail the same way */
  }
  var retryTimer = null;
  function flush() {
    if (flushing) { again = true; return Promise.resolve(); }
    flushing = true;
    again = false;
    return outbox("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.reduce(function (done, entry) {
        return done.then(function () { return send(entry); });
      }, Promise.resolve());
    }).catch(function (error) {
      if (error && error.retryAfter) {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, error.retryAfter * 1000);
      }
    }).then(function () {
      flushing = false;
      if (again) return flush();  // an entry queued while this round was sending
      return showQueue();
    });
  }
  function showQueue() {
    var count = function (store) { return store.count(); };
    return Promise.all([outbox("readonly", count), outbox("readonly", count, "refused")])
      .then(function (n) {
        var lines = [];
        if (n[0]) lines.push(cfg.waiting.replace("{n}", n[0]));
        if (n[1]) lines.push(cfg.refused.replace("{n}", n[1]));
        queueNote.hidden = lines.length === 0;
        queueNote.textContent = lines.join(" · ");
      });
  }

  /* ---- the feedback offer on the thank-you screen ---- */
  function heard(sent) {
    return function (body) {
      // Only this citizen's response matters; an older queued one's answer is not theirs.
      if (sent.id !== thanked && !(entry && sent.id === entry.id)) return;
      offers[sent.id] = (body && body.offer && body.offer.url) ? body.offer : null;
      if (sent.id === thanked) showOffer(offers[sent.id]);
    };
  }
  function showOffer(offer) {
    var qr = document.getElementById("offer-qr");
    var svg = null;
    if (offer) {
      // The server's SVG is parsed as SVG (never as HTML) and only an <svg> root is taken.
      var parsed = new DOMParser().parseFromString(offer.qr_svg, "image/svg+xml");
      if (parsed.documentElement && parsed.documentElement.localName === "svg") {
        svg = document.importNode(parsed.documentElement, true);
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", cfg.offerScan);
      }
    }
    var wasShown = !offerBox.hidden;
    qr.textContent = "";
    if (!svg) {
      offerBox.hidden = true;
      doneButton.hidden = true;
      if (wasShown) {  // the amend took the reason for a case away: back to the short thanks
        clearTimeout(thanksTimer);
        thanksTimer = setTimeout(reset, cfg.thanks * 1000);
      }
      return;
    }
    qr.appendChild(svg);
    document.getElementById("offer-next").textContent =
      cfg.offerNext.replace("{unit}", offer.unit).replace("{days}", offer.days);
    offerBox.hidden = false;
    doneButton.hidden = false;
    if (!wasShown) {
      // Long enough to read and take out a phone, then the screen resets as ever.
      clearTimeout(thanksTimer);
      thanksTimer = setTimeout(reset, (cfg.idle + cfg.countdown) * 1000);
    }
  }
  function hideOffer() {
    thanked = null;
    offers = {};
    offerBox.hidden = true;
    doneButton.hidden = true;
    document.getElementById("offer-qr").textContent = "";
    document.getElementById("offer-next").textContent = "";
  }

  /* ---- screens and steps ---- */
  function screen(el) {
    [attract, form, thanks].forEach(function (s) { s.hidden = s !== el; });
  }
  function visibleSteps() {
    window.ShowIf.apply(form, {});
    return steps.filter(function (step) {
      var q = step.querySelector(".q");
      return !q || !q.hidden;
    });
  }
  function goTo(index) {
    var shown = visibleSteps();
    current = Math.max(0, Math.min(index, shown.length - 1));
    steps.forEach(function (step) { step.hidden = step !== shown[current]; });
    var bar = form.querySelector(".progress span");
    bar.style.width = Math.round(100 * (current + 1) / shown.length) + "%";
    document.getElementById("back").hidden = current === 0;
    document.getElementById("next").hidden = current === shown.length - 1;
    savedNote.hidden = !entry || current === 0;
    var focus = shown[current].querySelector("legend, label, .ready");
    if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
  }
  function answered(step) {
    var q = step.querySelector(".q");
    if (!q || !q.hasAttribute("data-required")) return true;
    return Array.prototype.some.call(q.querySelectorAll("input, textarea"), function (el) {
      return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "";
    });
  }
  function next() {
    var shown = visibleSteps();
    var step = shown[current];
    var ok = answered(step);
    step.querySelector(".step-error") && (step.querySelector(".step-error").hidden = ok);
    if (!ok) return;
    // The face was the only question that applies (a satisfied citizen): it is stored
    // already, so thank them instead of asking "send?".
    if (entry && current === 0 && shown.length === 2 && shown[1].classList.contains("final")) {
      finish();
      return;
    }
    goTo(current + 1);
  }

  function collect() {
    var answers = {};
    form.querySelectorAll(".q").forEach(function (q) {
      if (q.hidden) return;
      var code = q.getAttribute("data-code"), values = [];
      q.querySelectorAll('[name="q_' + code + '"]').forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") { if (el.checked) values.push(el.value); }
        else if (el.value.trim()) values.push(el.value.trim());
      });
      var na = q.querySelector('[name="na_' + code + '"]');
      if (!values.length && na && na.checked) values = ["no_answer"];
      if (values.length) answers[code] = q.getAttribute("data-type") === "multi_choice" ? values : values[0];
    });
    return answers;
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));  // plain-HTTP kiosks lack randomUUID
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* Queue this citizen's answers as they stand: the first call makes the response, later
   * ones amend it (same id) when something changed. Returns when the outbox holds them. */
  function record() {
    var answers = collect();
    var json = JSON.stringify(answers);
    if (json === "{}" || (entry && json === sentAnswers)) return Promise.resolve();
    if (!entry) {
      // ignored_presses go with a response's first version only: the server does not add
      // them again when it amends.
      entry = {
        id: newId(), questionnaire: cfg.questionnaire, version: cfg.version, unit: cfg.unit,
        channel: "kiosk", token: cfg.token, submitted_at: new Date().toISOString(),
        ignored_presses: ignored, rev: 0
      };
      ignored = 0;
    }
    entry = Object.assign({}, entry, { answers: answers, rev: entry.rev + 1 });
    sentAnswers = json;
    var queued = entry;
    return outbox("readwrite", function (store) { return store.put(queued); })
      .then(function () { flush(); });
  }

  /* Clear everything of the last citizen: inputs, errors, timers, counters. Whatever they
   * answered is queued first (a walk-away keeps the answers given). */
  function reset() {
    clearTimeout(idleTimer); clearInterval(tickTimer); clearTimeout(thanksTimer);
    clearTimeout(advanceTimer);
    idleBox.hidden = true;
    hideOffer();
    var saving = entry ? record() : Promise.resolve();
    entry = null; sentAnswers = "";
    if (cfg.lang !== "vi") {
      screen(attract);
      saving.then(function () { location.replace(cfg.home); });
      return;
    }
    form.reset();
    form.querySelectorAll("textarea, input[type=text], input:not([type])").forEach(function (el) { el.value = ""; });
    form.querySelectorAll(".error").forEach(function (el) { if (el.classList.contains("step-error")) el.hidden = true; else el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    form.querySelectorAll(".pressed, .ignored").forEach(function (el) { el.classList.remove("pressed", "ignored"); });
    steps.forEach(function (step, i) { step.hidden = i !== 0; });
    savedNote.hidden = true;
    screen(attract);
    document.getElementById("start").focus();
  }
  function armIdle() {
    clearTimeout(idleTimer); clearInterval(tickTimer);
    idleBox.hidden = true;
    idleTimer = setTimeout(function () {
      var left = cfg.countdown;
      countdown.textContent = left;
      idleBox.hidden = false;
      tickTimer = setInterval(function () {
        left -= 1;
        countdown.textContent = left;
        if (left <= 0) reset();
      }, 1000);
    }, cfg.idle * 1000);
  }
  function finish() {
    clearTimeout(idleTimer); clearInterval(tickTimer); clearTimeout(advanceTimer);
    idleBox.hidden = true;
    var saving = record();  // queues a new version when the answers changed
    thanked = entry ? entry.id : null;
    saving.then(showQueue);
    entry = null; sentAnswers = "";
    screen(thanks);
    form.reset();
    thanksTimer = setTimeout(reset, cfg.thanks * 1000);
    // What the server already answered for this response (the first tap's offer); a newer
    // answer, to the version just queued, replaces it when it comes.
    if (thanked && offers[thanked]) showOffer(offers[thanked]);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    finish();
  });

  /* Visible feedback for every press, and the press guard: a press within pressInterval of
   * the previous one is a double tap or a drummed screen, not an answer. Both the label's and
   * the input's click are stopped, and the pressed control shakes to show it was ignored. */
  function flash(el, name) {
    if (!el) return;
    el.classList.remove("pressed", "ignored");
    void el.offsetWidth;  // restart the animation
    el.classList.add(name);
    setTimeout(function () { el.classList.remove(name); }, 400);
  }
  document.addEventListener("pointerdown", function (event) {
    var target = event.target.closest && event.target.closest("label, button, a");
    if (!form.contains(event.target)) { flash(target, "pressed"); return; }
    var now = Date.now();
    suppress = now - lastPress < cfg.pressInterval;
    if (suppress) ignored += 1; else lastPress = now;
    flash(target, suppress ? "ignored" : "pressed");
  }, true);
  form.addEventListener("keydown", function () { suppress = false; }, true);
  form.addEventListener("click", function (event) {
    if (suppress) { event.preventDefault(); event.stopPropagation(); }
  }, true);

  form.addEventListener("change", function (event) {
    armIdle();
    var el = event.target;
    if (el.type === "radio" && el.value !== "") {
      // A tap answers: the first one stores the response at once; then move on.
      if (!entry) record();
      clearTimeout(advanceTimer);
      advanceTimer = setTimeout(next, 250);
    }
  });
  form.addEventListener("input", armIdle);
  document.getElementById("next").addEventListener("click", function () { armIdle(); next(); });
  document.getElementById("back").addEventListener("click", function () { armIdle(); goTo(current - 1); });
  document.getElementById("continue").addEventListener("click", armIdle);
  doneButton.addEventListener("click", reset);
  document.getElementById("start").addEventListener("click", function () {
    screen(form);
    goTo(0);
    armIdle();
  });

  window.addEventListener("online", flush);
  setInterval(flush, 15000);
  // Back-forward cache: a restored page must not show the last citizen's answers.
  window.addEventListener("pageshow", function (event) { if (event.persisted) reset(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).catch(function () {});
  }
  screen(attract);
  flush();
})();
