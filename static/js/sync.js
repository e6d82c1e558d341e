/* Từng Nhà sender: one at a time (Web Locks across tabs and the service worker), a fresh
   CSRF token before each send, and an entry leaves the outbox only on its own receipt
   ("created" or "duplicate"); any other answer (a Wi-Fi login page, a 500, a redirect)
   keeps it queued. Backoff 2 s → 15 min with jitter. Also loaded by sw.js. */
(function (root) {
  "use strict";
  var TN = root.TN = root.TN || {};
  var MIN = 2000, MAX = 15 * 60000, CHUNK = 100, TIMEOUT = 20000;
  var state = TN.syncState = { failures: 0, needLogin: false };
  var timer = null;

  function fetchJson(url, opts) {
    var ctl = new AbortController(), t = setTimeout(function () { ctl.abort(); }, TIMEOUT);
    opts = Object.assign({ credentials: "same-origin", redirect: "manual", signal: ctl.signal, cache: "no-store" }, opts || {});
    return fetch(url, opts).then(function (r) {
      clearTimeout(t);
      if (r.status === 401) { var e = new Error("login"); e.login = true; throw e; }
      var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) throw new Error("HTTP " + r.status + (json ? "" : " (not JSON)"));
      return r.json();
    }, function (e) { clearTimeout(t); throw e; });
  }

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
      });
      return Promise.all(jobs).then(function () { return TN.outbox.remove(done); }).then(function () { return done; });
    });
  }

  function sendAll() {
    return TN.outbox.pending().then(function (pending) {
      if (!pending.length) return [];
      return fetchJson("/api/session").then(function (session) {
        state.needLogin = false;
        // Only the signed-in officer's own entries: a visit is credited to its sender.
        pending = pending.filter(function (e) { return !e.user || e.user === session.user.username; });
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
      });
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
        return TN.photos ? TN.photos.sendAll().then(function () { return sent; }, function () { return sent; }) : sent;
      });
    }).then(function (sent) {
      state.failures = 0;
      return sent;
    }, function (e) {
      state.needLogin = !!e.login;
      if (!e.login) state.failures++;
      return null;
    }).then(function (sent) {
      TN.schedule && TN.schedule();
      TN.onSyncEnd && TN.onSyncEnd(sent);
      return sent;
    });
  }

  // Next attempt: soon after failures (with jitter), else the steady timer while open.
  TN.backoff = function (failures) {
    if (!failures) return 60000;
    var base = MIN * Math.pow(2, Math.min(failures, 20) - 1);
    return Math.round(Math.min(MAX, base) * (0.75 + Math.random() / 4));  // jitter: phones do not retry in step
  };
  TN.schedule = function () {
    clearTimeout(timer);
    if (state.needLogin || !root.document) return;
    timer = setTimeout(TN.syncNow, TN.backoff(state.failures));
  };
})(self);
