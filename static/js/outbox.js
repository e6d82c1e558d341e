/* Từng Nhà outbox and offline store in IndexedDB (plain, no library); also loaded by sw.js.
   Stores: "outbox" (entries waiting for a receipt, or needing attention), "sent" (entries the
   server acknowledged, kept `keep_sent_days` to send again after a restore of the server's
   database), "meta" (device id, sequence counter, the offline pack and its ETag, the server's
   restore epoch) and "photos" (commitment photos waiting to be sent after their visit's
   receipt, by visit id; see photo.js). */
(function (root) {
  "use strict";
  var TN = root.TN = root.TN || {};
  var dbp = null;

  function req(r) {
    return new Promise(function (ok, ko) { r.onsuccess = function () { ok(r.result); }; r.onerror = function () { ko(r.error); }; });
  }
  function open() {
    if (!dbp) {
      var r = indexedDB.open("tungnha", 3);
      r.onupgradeneeded = function () {
        var names = r.result.objectStoreNames;
        if (!names.contains("outbox")) r.result.createObjectStore("outbox", { keyPath: "id" });
        if (!names.contains("meta")) r.result.createObjectStore("meta");
        if (!names.contains("photos")) r.result.createObjectStore("photos", { keyPath: "visit_id" });
        if (!names.contains("sent")) r.result.createObjectStore("sent", { keyPath: "id" });
      };
      dbp = req(r).then(function (db) {
        // A newer page or service worker upgrades the store: let it, and reopen next time.
        db.onversionchange = function () { db.close(); dbp = null; };
        return db;
      });
    }
    return dbp;
  }
  // Run fn(stores...) in one transaction; resolves with fn's result once committed.
  function tx(names, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (ok, ko) {
        var t = db.transaction(names, mode), out;
        t.oncomplete = function () { ok(out); };
        t.onerror = t.onabort = function () { ko(t.error); };
        Promise.resolve(fn.apply(null, names.map(function (n) { return t.objectStore(n); })))
          .then(function (v) { out = v; }, function (e) { t.abort(); ko(e); });
      });
    });
  }
  function uuid() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  // The device's local time with its UTC offset, e.g. 2025-11-12T09:15:00+07:00.
  function localIso(d) {
    d = d || new Date();
    var off = -d.getTimezoneOffset(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    var local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
    return local + (off < 0 ? "-" : "+") + p(Math.floor(Math.abs(off) / 60)) + ":" + p(Math.abs(off) % 60);
  }

  var outbox = TN.outbox = {
    uuid: uuid,
    meta: function (key) { return tx(["meta"], "readonly", function (m) { return req(m.get(key)); }); },
    setMeta: function (key, value) { return tx(["meta"], "readwrite", function (m) { return req(m.put(value, key)); }); },
    deviceId: function () {
      return tx(["meta"], "readwrite", function (m) {
        return req(m.get("device_id")).then(function (id) {
          if (!id) { id = "web-" + uuid(); m.put(id, "device_id"); }
          return id;
        });
      });
    },
    // Queue an entry ("visit", "household" or "withdrawal"); the id is also the new record's id.
    add: function (type, data, user) {
      return tx(["outbox", "meta"], "readwrite", function (o, m) {
        return req(m.get("seq")).then(function (seq) {
          seq = (seq || 0) + 1;
          m.put(seq, "seq");
          var entry = { id: uuid(), type: type, seq: seq, recorded_at: localIso(), data: data,
                        user: user || "", state: "pending", errors: null, queued_at: Date.now() };
          o.put(entry);
          return entry;
        });
      });
    },
    all: function () {
      return tx(["outbox"], "readonly", function (o) { return req(o.getAll()); }).then(function (list) {
        return list.sort(function (a, b) { return a.seq - b.seq; });
      });
    },
    pending: function () { return outbox.all().then(function (l) { return l.filter(function (e) { return e.state === "pending"; }); }); },
    get: function (id) { return tx(["outbox"], "readonly", function (o) { return req(o.get(id)); }); },
    remove: function (ids) {
      return tx(["outbox"], "readwrite", function (o) { ids.forEach(function (id) { o.delete(id); }); });
    },
    // The server holds these (created or duplicate): out of the outbox, remembered as sent.
    acknowledge: function (ids) {
      var now = Date.now();
      return tx(["outbox", "sent"], "readwrite", function (o, s) {
        return Promise.all(ids.map(function (id) {
          return req(o.get(id)).then(function (e) {
            if (!e) return;
            o.delete(id);
            e.state = "sent"; e.errors = null; e.acked_at = now;
            s.put(e);
          });
        }));
      });
    },
    sent: function () { return tx(["sent"], "readonly", function (s) { return req(s.getAll()); }); },
    forgetSent: function (ids) {
      return tx(["sent"], "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
    },
    // The server lost these (a restore): back into the outbox, same id, content and sequence.
    requeueLost: function (ids) {
      return tx(["outbox", "sent"], "readwrite", function (o, s) {
        return Promise.all(ids.map(function (id) {
          return Promise.all([req(s.get(id)), req(o.get(id))]).then(function (found) {
            var e = found[1] || found[0];
            if (!e) return;
            s.delete(id);
            e.state = "pending"; e.errors = null;
            o.put(e);
          });
        }));
      });
    },
    // Forget acknowledged entries older than `days` (they are the server's alone now).
    pruneSent: function (days) {
      var limit = Date.now() - days * 86400000;
      return tx(["sent"], "readwrite", function (s) {
        return req(s.getAll()).then(function (list) {
          list.forEach(function (e) { if (!(e.acked_at >= limit)) s.delete(e.id); });
        });
      });
    },
    // The server could not store it this time (no receipt): it stays queued, with the reason.
    note: function (id, errors) {
      return tx(["outbox"], "readwrite", function (o) {
        return req(o.get(id)).then(function (e) { if (e) { e.last_errors = errors || {}; o.put(e); } });
      });
    },
    // The server refused the entry (quarantined / id_conflict): keep it for the officer.
    attention: function (id, status, errors) {
      return tx(["outbox"], "readwrite", function (o) {
        return req(o.get(id)).then(function (e) {
          if (e) { e.state = status; e.errors = errors || {}; o.put(e); }
        });
      });
    },
    // Refused for its content (the server will never take it as it is), not for a failure of
    // the server: only these are offered "send again" (the others resolve themselves, sync.js).
    refusedForContent: function (e) {
      if (e.state !== "quarantined") return false;
      return Object.keys(e.errors || {}).some(function (k) { return k !== "server"; });
    },
    // A returned entry goes back in the queue under its id, as it was or as edited.
    requeue: function (id, data) {
      return tx(["outbox"], "readwrite", function (o) {
        return req(o.get(id)).then(function (e) {
          if (e) { e.state = "pending"; e.errors = null; e.data = data || e.data; o.put(e); }
        });
      });
    },
    // Forget everything personal on this phone (logout): pack, outbox, sent entries, photos, user.
    clear: function () {
      return tx(["outbox", "sent", "meta", "photos"], "readwrite", function (o, s, m, p) {
        o.clear(); s.clear(); p.clear();
        ["pack", "pack_etag", "pack_at", "user", "epoch", "sent_at"].forEach(function (k) { m.delete(k); });
      });
    },
    tx: tx,
    req: req,
    // Logout, or the server ended this account's sessions (a lost phone): the outbox, pack and
    // photos above, and the cached pages that show the user's villages.
    wipe: function () {
      try { if (root.localStorage) localStorage.removeItem("htmx-history-cache"); } catch (e) { /* private mode */ }
      return outbox.clear().then(function () {
        if (!root.caches) return null;
        return caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("tn-shell") === 0; }).map(function (k) { return caches.delete(k); }));
        });
      });
    },
    localIso: localIso
  };
})(self);
