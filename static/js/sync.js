/* Từng Nhà sender: one at a time (Web Locks across tabs and the service worker), a fresh
   CSRF token before each send, and an entry leaves the outbox only on its own receipt
   ("created" or "duplicate"); any other answer (a Wi-Fi login page, a 500, a redirect, a 503,
   an entry answered "retry") keeps it queued. Backoff 2 s → 15 min with jitter, never sooner
   than the server's Retry-After. Before sending it compares the phone's clock with the
   server's, and when the server's restore epoch changed it sends again what the server lost
   (acknowledged entries are kept `keep_sent_days`). Also loaded by sw.js. */
(function (root) {
  "use strict";
  var TN = root.TN = root.TN || {};
  var MIN = 2000, MAX = 15 * 60000, CHUNK = 100, TIMEOUT = 20000, STATUS_CHUNK = 90;
  var CHECK_EVERY = 5 * 60000;  // with nothing to send, ask the server's clock and epoch this often
  var state = TN.syncState = { failures: 0, needLogin: false, retryAfter: 0, clockOffset: 0 };
  var timer = null, checkedAt = 0;

  function fetchJson(url, opts) {
    var ctl = new AbortController(), t = setTimeout(function () { ctl.abort(); }, TIMEOUT);
    opts = Object.assign({ credentials: "same-origin", redirect: "manual", signal: ctl.signal, cache: "no-store" }, opts || {});
    return fetch(url, opts).then(function (r) {
      clearTimeout(t);
      if (r.status === 401) return TN.signedOut(r);
      var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) {
        var failed = new Error("HTTP " + r.status + (json ? "" : " (not JSON)"));
        failed.retryAfter = Number(r.headers.get("Retry-After")) || 0;  // 503: busy or away
        throw failed;
      }
      return r.json();
    }, function (e) { clearTimeout(t); throw e; });
  }

  // 401: sign in again, keeping the outbox; or, when the account was signed out of every
  // device (a lost phone), nothing can be sent any more and the phone forgets what it holds.
  function signedOut(body) {
    var e = new Error("login");
    e.login = true;
    e.ended = body && body.error === "session_ended";
    throw e;
  }

  // A 401 from any sender (photo.js too) rejects with the same error: sign in again, or wipe.
  TN.signedOut = function (r) { return r.json().catch(function () { return {}; }).then(signedOut); };

  // The account was signed out of every device: wipe, then let the page say so (field.js).
  TN.ended = function () {
    return TN.outbox.wipe().then(function () { if (TN.onEnded) TN.onEnded(); });
  };

  function sendChunk(entries, token, deviceId) {
    var body = { batch_id: TN.outbox.uuid(), device_id: deviceId, entries: entries.map(function (e) {
      return { id: e.id, type: e.type, seq: e.seq, recorded_at: e.recorded_at, data: e.data };
    }) };
    return fetchJson("/api/sync/batch", {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (answer) {
      var results = answer && answer.results;
      // Trust nothing but one result per entry, in order, with the same ids.
      if (!Array.isArray(results) || results.length !== entries.length) throw new Error("bad answer");
      var done = [], jobs = [];
      results.forEach(function (r, i) {
        if (!r || r.id !== entries[i].id) return;
        if (r.status === "created" || r.status === "duplicate") done.push(r.id);
        else if (r.status === "quarantined" || r.status === "id_conflict") jobs.push(TN.outbox.attention(r.id, r.status, r.errors));
        else jobs.push(TN.outbox.note(r.id, r.errors));  // "retry": no receipt, sent again later
      });
      return Promise.all(jobs).then(function () { return TN.outbox.acknowledge(done); }).then(function () { return done; });
    });
  }

  // {id: status} for these ids ("created", "quarantined" or "unknown"), asked a few at a time.
  function statuses(ids) {
    var found = {}, chain = Promise.resolve();
    for (var i = 0; i < ids.length; i += STATUS_CHUNK) {
      (function (part) {
        chain = chain.then(function () { return fetchJson("/api/sync/status?ids=" + part.join(",")); })
          .then(function (answer) { answer.results.forEach(function (r) { found[r.id] = r.status; }); });
      })(ids.slice(i, i + STATUS_CHUNK));
    }
    return chain.then(function () { return found; });
  }

  // The phone's clock against the server's (half the round trip counted): its offset in ms.
  function checkClock(session, asked) {
    var server = Date.parse(session.server_time);
    if (isNaN(server)) return Promise.resolve();
    var now = Date.now();
    state.clockOffset = now - (now - asked) / 2 - server;
    checkedAt = now;
    return TN.outbox.setMeta("clock_offset", state.clockOffset);
  }

  // A new restore epoch: the server was restored from a backup. Send again every remembered
  // entry it lacks (same id: never twice), then take the new epoch as known.
  function recover(session) {
    return TN.outbox.meta("epoch").then(function (known) {
      if (!session.epoch || known === session.epoch) return;
      var lost = known ? TN.outbox.sent().then(function (sent) {
        return statuses(sent.map(function (e) { return e.id; })).then(function (found) {
          return TN.outbox.requeueLost(sent.filter(function (e) { return found[e.id] === "unknown"; })
            .map(function (e) { return e.id; }));
        });
      }) : Promise.resolve();
      return lost.then(function () { return TN.outbox.setMeta("epoch", session.epoch); });
    });
  }

  // Entries held as refused only because the server failed (an old server answered a deadlock
  // that way): stored after all → acknowledged; not there → sent again under the same id.
  function reconcile(attention) {
    var failed = attention.filter(function (e) { return e.state === "quarantined" && !TN.outbox.refusedForContent(e); });
    if (!failed.length) return Promise.resolve();
    return statuses(failed.map(function (e) { return e.id; })).then(function (found) {
      var stored = failed.filter(function (e) { return found[e.id] === "created"; }).map(function (e) { return e.id; });
      var lost = failed.filter(function (e) { return found[e.id] === "unknown"; }).map(function (e) { return e.id; });
      return TN.outbox.acknowledge(stored).then(function () { return TN.outbox.requeueLost(lost); });
    });
  }

  function mine(session) {
    // Only the signed-in officer's own entries: a visit is credited to its sender.
    return function (e) { return !e.user || e.user === session.user.username; };
  }

  function sendAll() {
    return TN.outbox.all().then(function (all) {
      // Nothing to send: a look at the clock and the epoch now and then (at once on opening).
      if (!all.length && Date.now() - checkedAt < CHECK_EVERY) return [];
      var asked = Date.now();
      return fetchJson("/api/session").then(function (session) {
        state.needLogin = false;
        var days = session.keep_sent_days == null ? 30 : session.keep_sent_days;
        return checkClock(session, asked)
          .then(function () { return recover(session); })
          .then(function () { return reconcile(all.filter(function (e) { return e.state !== "pending"; }).filter(mine(session))); })
          .then(function () { return TN.outbox.pruneSent(days); })
          .then(function () { return TN.outbox.pending(); })
          .then(function (pending) { return sendPending(pending.filter(mine(session)), session); });
      });
    });
  }

  function sendPending(pending, session) {
    if (!pending.length) return [];
    return TN.outbox.deviceId().then(function (deviceId) {
      var sent = [], chain = Promise.resolve();
      for (var i = 0; i < pending.length; i += CHUNK) {
        (function (chunk) {
          chain = chain.then(function () { return sendChunk(chunk, session.csrf_token, deviceId); })
            .then(function (done) { sent = sent.concat(done); });
        })(pending.slice(i, i + CHUNK));
      }
      return chain.then(function () { return sent; });
    });
  }

  function withLock(fn) {
    if (root.navigator && navigator.locks) {
      return navigator.locks.request("tungnha-sync", fn);
    }
    return fn();
  }

  var current = null, queued = null;
  // Send what is queued; resolves with the ids acknowledged (null on failure). A call
  // during a run waits for it and runs once more, so nothing queued meanwhile waits long.
  TN.syncNow = function () {
    if (current) {
      return queued || (queued = current.then(function () { queued = null; return TN.syncNow(); }));
    }
    current = run().then(function (sent) { current = null; return sent; });
    return current;
  };

  function run() {
    clearTimeout(timer);
    TN.onSyncStart && TN.onSyncStart();
    // Photos go after the entries, so a photo's visit has its receipt first (photo.js).
    return withLock(function () {
      return sendAll().then(function (sent) {
        if (!TN.photos) return sent;
        // A photo not sent waits for the next sync; a 401 there counts as one here (a lost phone's wipe).
        return TN.photos.sendAll().then(function () { return sent; }, function (e) { if (e && e.login) throw e; return sent; });
      });
    }).then(function (sent) {
      state.failures = 0;
      state.retryAfter = 0;
      return sent;
    }, function (e) {
      state.needLogin = !!e.login;
      if (!e.login) state.failures++;
      state.retryAfter = e.retryAfter || 0;
      if (e.ended) return TN.ended().then(function () { return null; });
      return null;
    }).then(function (sent) {
      TN.schedule && TN.schedule();
      TN.onSyncEnd && TN.onSyncEnd(sent);
      return sent;
    });
  }

  // Next attempt: soon after failures (with jitter, never before the server's Retry-After),
  // else the steady timer while open.
  TN.backoff = function (failures, retryAfter) {
    if (!failures) return 60000;
    var base = MIN * Math.pow(2, Math.min(failures, 20) - 1), floor = (retryAfter || 0) * 1000;
    var wait = Math.round(Math.min(MAX, base) * (0.75 + Math.random() / 4));  // jitter: phones do not retry in step
    return wait >= floor ? wait : Math.round(floor * (1 + Math.random() / 4));
  };
  TN.schedule = function () {
    clearTimeout(timer);
    if (state.needLogin || !root.document) return;
    timer = setTimeout(TN.syncNow, TN.backoff(state.failures, state.retryAfter));
  };
})(self);
