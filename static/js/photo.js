/* Từng Nhà commitment photos: shrunk on the phone (≤ 1600 px, ≤ 250 KB JPEG) when taken,
   kept in IndexedDB ("photos", by visit id) beside the visit's outbox entry, and sent with
   one PUT each once the visit has left the outbox (its receipt came back), until the server
   answers "created" or "duplicate": a photo resent after a lost answer is stored once.
   A refusal keeps the photo with the server's reason until the officer drops it.
   Also loaded by sw.js (sending only). */
(function (root) {
  "use strict";
  var TN = root.TN = root.TN || {};
  var SIDE = 1600, BYTES = 250 * 1024, TIMEOUT = 30000;
  var doc = root.document;

  function store(mode, fn) { return TN.outbox.tx(["photos"], mode, fn); }

  // The photo drawn on a canvas, as JPEG, smaller in quality then in size until it fits.
  function encode(bitmap, scale, quality) {
    var canvas = doc.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise(function (ok) { canvas.toBlob(ok, "image/jpeg", quality); }).then(function (blob) {
      if (!blob) throw new Error("encode");
      if (blob.size <= BYTES || scale < 0.05) return blob;
      return quality > 0.5 ? encode(bitmap, scale, quality - 0.12) : encode(bitmap, scale * 0.8, quality);
    });
  }
  function shrink(file) {
    return createImageBitmap(file).then(function (bitmap) {
      return encode(bitmap, Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height)), 0.85);
    });
  }

  function field(form) { return form.querySelector("[data-photo-field]"); }
  function note(box, text, bad) {
    var p = box.querySelector("[data-photo-note]");
    p.textContent = text;
    p.classList.toggle("error", !!bad);
  }
  function labels() {
    var el = doc.getElementById("tn-labels");
    return el ? JSON.parse(el.textContent) : {};
  }

  // A photo was taken: shrink it now, show it, keep it on the form until the visit is saved.
  function taken(input) {
    var form = input.form, box = field(form), file = input.files && input.files[0], L = labels();
    var preview = box.querySelector("[data-photo-preview]");
    form._photo = null;
    preview.hidden = true;
    if (!file) { note(box, ""); return; }
    note(box, L.photo_shrinking || "…");
    form._photoJob = shrink(file).then(function (blob) {
      form._photo = blob;
      try {  // a form posted as it is (no offline pack for this house) then carries the small photo
        var swap = new DataTransfer();
        swap.items.add(new File([blob], "cam-ket.jpg", { type: "image/jpeg" }));
        input.files = swap.files;
      } catch (e) { /* older browsers post the original; the server shrinks or refuses it */ }
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      note(box, (L.photo_ready || "") + " " + Math.round(blob.size / 1024) + " KB");
    }, function () {
      input.value = "";
      note(box, L.photo_not_image || "", true);
    });
  }

  var photos = TN.photos = {
    shrink: shrink,
    chosen: function (form) { return !!(form._photo || form._photoJob); },
    // Keep the form's photo for the visit entry `visitId` (after the entry is in the outbox).
    attach: function (form, visitId) {
      return Promise.resolve(form._photoJob).then(function () {
        if (!form._photo) return null;
        var item = { visit_id: visitId, blob: form._photo, size: form._photo.size, state: "waiting",
                     error: null, added_at: Date.now() };
        return store("readwrite", function (s) { return TN.outbox.req(s.put(item)); });
      });
    },
    all: function () { return store("readonly", function (s) { return TN.outbox.req(s.getAll()); }); },
    drop: function (visitId) { return store("readwrite", function (s) { return TN.outbox.req(s.delete(visitId)); }); },
    // Send every waiting photo whose visit has left the outbox (it has its receipt).
    sendAll: function () {
      return Promise.all([photos.all(), TN.outbox.all()]).then(function (both) {
        var queued = {};
        both[1].forEach(function (e) { queued[e.id] = true; });
        var ready = both[0].filter(function (p) { return p.state === "waiting" && !queued[p.visit_id]; });
        if (!ready.length) return 0;
        return fetch("/api/session", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
          if (r.status === 401) return TN.signedOut(r);  // sign in again, or the phone is wiped (sync.js)
          if (!r.ok) throw new Error("session");
          return r.json();
        }).then(function (session) {
          return ready.reduce(function (chain, p) {
            return chain.then(function () { return send(p, session.csrf_token); });
          }, Promise.resolve());
        }).then(function () { return ready.length; });
      });
    }
  };

  function send(p, token) {
    var ctl = new AbortController(), t = setTimeout(function () { ctl.abort(); }, TIMEOUT);
    return fetch("/api/visits/" + p.visit_id + "/photo", {
      method: "PUT", body: p.blob, credentials: "same-origin", redirect: "manual", signal: ctl.signal,
      headers: { "Content-Type": "image/jpeg", "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (r) {
      clearTimeout(t);
      if (r.status === 401) return TN.signedOut(r);  // sign in again, or the phone is wiped (sync.js)
      var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("HTTP " + r.status);  // a Wi-Fi login page: try again later
      return r.json().then(function (answer) {
        if (answer.status === "created" || answer.status === "duplicate") return photos.drop(p.visit_id);
        if (r.status === 429 || r.status >= 500) throw new Error("HTTP " + r.status);
        p.state = "refused";
        p.error = answer.message || String(r.status);
        return store("readwrite", function (s) { return TN.outbox.req(s.put(p)); });
      });
    }, function (e) { clearTimeout(t); throw e; });
  }

  if (!doc) return;  // the service worker only sends

  // Photos the server refused, with its reason, until the officer drops them.
  function drawRefused() {
    photos.all().then(function (list) {
      var bad = list.filter(function (p) { return p.state === "refused"; }), L = labels();
      var box = doc.getElementById("tn-photos");
      if (!bad.length) { if (box) box.remove(); return; }
      if (!box) {
        box = doc.createElement("section");
        box.id = "tn-photos"; box.className = "card attention";
        doc.querySelector("main").insertBefore(box, doc.querySelector("main").firstChild);
      }
      box.textContent = "";
      var h = doc.createElement("h2");
      h.textContent = L.photo_refused || "";
      box.appendChild(h);
      bad.forEach(function (p) {
        var row = doc.createElement("p"), drop = doc.createElement("button");
        row.textContent = p.error + " ";
        drop.type = "button"; drop.className = "btn"; drop.textContent = L.discard || "×";
        drop.addEventListener("click", function () { photos.drop(p.visit_id).then(drawRefused); });
        row.appendChild(drop);
        box.appendChild(row);
      });
    }).catch(function () {});
  }

  doc.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-photo-field] input[type=file]")) taken(e.target);
  });
  doc.addEventListener("DOMContentLoaded", function () {
    drawRefused();
    var chained = TN.onSyncEnd;  // field.js sets its own (deferred scripts run first): run both
    TN.onSyncEnd = function (sent) { if (chained) chained(sent); drawRefused(); };
  });
})(self);
