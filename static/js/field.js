/* Từng Nhà field client: quick actions and new households go to the outbox first (online
   or not), the pending counter, marks on rows with unsent visits, the "cần xử lý" list,
   sync triggers, the service worker, and logout that clears offline personal data. */
(function () {
  "use strict";
  var TN = window.TN, L = {}, undoTimers = {};
  var $ = function (s, el) { return (el || document).querySelector(s); };
  var esc = function (s) { return TN.esc(s); };

  TN.onSyncEnd = afterSync;  // sync.js calls it after every run (not in the service worker)

  function refreshUi() {
    return TN.outbox.all().then(function (all) {
      var pending = all.filter(function (e) { return e.state === "pending"; });
      var attention = all.filter(function (e) { return e.state !== "pending"; });
      document.querySelectorAll("[data-outbox-count]").forEach(function (el) {
        el.textContent = pending.length;
        el.setAttribute("data-outbox-count", pending.length);
        el.hidden = !pending.length;
      });
      markPending(pending);
      drawAttention(attention);
      drawLogin();
      return all;
    });
  }

  function markPending(pending) {
    var ids = {};
    (pending || []).forEach(function (e) { if (e.type === "visit") ids[e.data.household_id] = true; });
    document.querySelectorAll("li[data-household-id]").forEach(function (li) {
      var id = li.getAttribute("data-household-id"), f = ids[id] && TN.findHousehold(id);
      li.classList.toggle("pending", !!ids[id]);
      li.title = ids[id] ? L.pending : "";
      if (f && !li.querySelector("[data-outbox-undo]")) {  // the phone knows better than the page
        setRow(li, f.h.status);
        var qa = li.querySelector("form.qa");
        if (qa && (f.h.status === "warned" || f.h.status === "excluded")) qa.remove();
      }
    });
  }
  TN.markPending = function () { TN.outbox.pending().then(markPending); };

  function reasons(errors) {
    return Object.keys(errors || {}).map(function (k) { return "<li><code>" + esc(k) + "</code>: " + esc(errors[k]) + "</li>"; }).join("");
  }
  function drawAttention(list) {
    var box = $("#tn-attention");
    if (!list.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("section");
      box.id = "tn-attention"; box.className = "card attention";
      $("main").insertBefore(box, $("main").firstChild);
    }
    box.innerHTML = "<h2>" + esc(L.attention) + " (" + list.length + ")</h2>" + list.map(function (e) {
      var f = e.type === "visit" ? TN.findHousehold(e.data.household_id) : null;
      var what = e.type === "visit" ? (f ? f.h.head_name : e.data.household_id) + " — " + (L["o_" + e.data.outcome] || e.data.outcome) : L.new_household + ": " + e.data.head_name;
      return '<div class="att" data-entry="' + e.id + '"><p><b>' + esc(what) + "</b> <span class=\"chip\">" + esc(L[e.state] || e.state) +
        "</span></p><ul class=\"small\">" + reasons(e.errors) + '</ul><p class="att-actions">' +
        (e.type === "visit" && f ? '<a class="btn" href="/households/' + e.data.household_id + '">' + esc(L.fix) + "</a> " : "") +
        '<button type="button" class="btn" data-resend>' + esc(L.resend) + '</button> <button type="button" class="btn" data-discard>' + esc(L.discard) + "</button></p></div>";
    }).join("");
  }

  function drawLogin() {
    var box = $("#tn-login");
    if (!TN.syncState.needLogin) { if (box) box.remove(); return; }
    if (box) return;
    box = document.createElement("p");
    box.id = "tn-login"; box.className = "flash flash-error"; box.setAttribute("role", "alert");
    box.innerHTML = esc(L.login_again) + ' <a href="/login?next=' + encodeURIComponent(location.pathname) + '">' + esc(L.login) + "</a>";
    $("main").insertBefore(box, $("main").firstChild);
  }

  function afterSync(sent) {
    refreshUi().then(function (all) {
      if (sent && sent.length) TN.refreshPack(L.user).then(withLocalHouseholds).catch(function () {});
      sent && sent.forEach(function (id) { if (undoTimers[id]) undoTimers[id](); });
    });
  }
  // Households added on the phone stay in the pack until the server has them.
  function withLocalHouseholds() {
    return TN.outbox.all().then(function (all) {
      var p = TN.pack();
      all.forEach(function (e) {
        if (e.type !== "household" || !p || TN.findHousehold(e.id)) return;
        p.villages.forEach(function (v) {
          if (v.id === e.data.village_id) v.households.unshift(Object.assign({ id: e.id, status: "not_visited", code: "" }, e.data));
        });
      });
    });
  }

  function sync() { TN.syncNow(); }
  // A send that ends quickly online, or gives up waiting when the server hangs.
  function soon(promise) { return Promise.race([promise, new Promise(function (ok) { setTimeout(ok, 1500); })]); }

  // One tap: the standard visit into the outbox; the row changes at once.
  function quick(form, outcome) {
    var li = form.closest("li[data-household-id]"), id = li.getAttribute("data-household-id");
    var p = TN.pack(), fix = window.tungNhaFix && window.tungNhaFix();
    if (!p || !p.campaign || !TN.findHousehold(id)) return false;
    var warned = outcome === "warned";
    var data = { household_id: id, campaign_id: p.campaign.id, outcome: outcome,
      topics: warned ? p.campaign.topics.map(function (t) { return t.code; }) : [], materials: warned ? ["leaflet"] : [],
      people_reached: warned ? 1 : 0, youth_reached: 0, commitment_signed: false, companions: [], note: "",
      lat: fix ? fix.lat : null, lon: fix ? fix.lon : null, accuracy_m: fix ? fix.acc : null };
    var before = TN.patchStatus(id, outcome), status = TN.findHousehold(id).h.status;
    li.classList.add("pending");
    form.outerHTML = '<form class="undo" data-outbox-undo><span>' + esc(L.saving) + "</span></form>";
    TN.outbox.add("visit", data, L.user).then(function (entry) {
      var box = li.querySelector("[data-outbox-undo]"), shown = false;
      var show = function () {
        delete undoTimers[entry.id];
        if (shown || !box.isConnected) return;
        shown = true;
        setRow(li, status);  // once sent (≈ at once) or after 1.5 s without an answer
        box.setAttribute("data-outbox-undo", entry.id);
        box.setAttribute("data-before", before);
        box.style.setProperty("--undo", L.undo_seconds + "s");
        box.innerHTML = "<span>" + esc(L.saved) + " ✓</span> <button>" + esc(L.undo) + "</button>";
      };
      undoTimers[entry.id] = show;
      setTimeout(show, navigator.onLine === false ? 0 : 1500);
      refreshUi();
      return TN.syncNow().then(function () {
        show();
        return TN.outbox.get(entry.id);
      }).then(function (left) {
        // Still queued: let the browser retry even if this page closes (Chrome).
        if (left && navigator.serviceWorker) {
          navigator.serviceWorker.ready.then(function (r) { return r.sync && r.sync.register("outbox"); }).catch(function () {});
        }
      });
    });
    return true;
  }

  function setRow(li, status) {
    li.className = li.className.replace(/\bst-\w+/, "st-" + status);
    var chip = li.querySelector(".chip");
    if (chip) chip.textContent = L[status];
  }

  // Undo: drop the entry if it is still queued, else ask the server to withdraw the visit.
  function undo(form) {
    var id = form.getAttribute("data-outbox-undo"), before = form.getAttribute("data-before");
    var li = form.closest("li[data-household-id]"), hid = li.getAttribute("data-household-id");
    TN.outbox.get(id).then(function (entry) {
      if (entry) return TN.outbox.remove([id]).then(function () { return null; });
      return TN.syncNow().then(function () {
        return fetch("/households/visits/" + id + "/undo", { method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": $("meta[name=csrf-token]").content, "HX-Request": "true" } });
      }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      });
    }).then(function (html) {
      TN.setStatus(hid, before);
      li.outerHTML = html || TN.rowHtml(TN.findHousehold(hid).h, true);
      var fresh = document.getElementById("h-" + hid);
      if (fresh && window.htmx) htmx.process(fresh);
      refreshUi();
    }).catch(function () { form.innerHTML = "<span>" + esc(L.undo_failed) + "</span>"; });
  }

  // A household found in the field: into the outbox and the pack, then back to the village.
  function newHousehold(form) {
    var vid = Number(new URLSearchParams(location.search).get("village"));
    var p = TN.pack();
    if (!p || !form.checkValidity()) return false;
    var f = form.elements, num = function (n) { return f[n] && f[n].value !== "" ? Number(f[n].value) : null; };
    var data = { village_id: vid, head_name: f.head_name.value.trim(), code: f.code.value.trim(), address: f.address.value.trim(),
      phone: f.phone.value.trim() || null, members: num("members"), youth: num("youth"), lat: num("lat"), lon: num("lon") };
    if (!data.head_name || data.members === null || data.youth === null) return false;
    TN.outbox.add("household", data, L.user).then(withLocalHouseholds).then(function () {
      return TN.outbox.setMeta("pack", TN.pack());
    }).then(function () {
      soon(TN.syncNow()).then(function () { location.href = "/villages/" + vid; });
    });
    return true;
  }

  // The full visit form drawn by the offline household page: into the outbox, back to the list.
  function offlineVisit(form) {
    if (!form.reportValidity()) return;
    var hid = location.pathname.split("/").pop(), f = TN.findHousehold(hid), p = TN.pack();
    var el = form.elements, num = function (n) { return el[n].value === "" ? 0 : Number(el[n].value); };
    var picked = function (n) { return Array.prototype.filter.call(form.querySelectorAll("[name=" + n + "]:checked"), Boolean).map(function (i) { return i.value; }); };
    var fix = window.tungNhaFix && window.tungNhaFix();
    var data = { household_id: hid, campaign_id: p.campaign.id, outcome: picked("outcome")[0], topics: picked("topics"),
      materials: picked("materials"), people_reached: num("people_reached"), youth_reached: num("youth_reached"),
      commitment_signed: el.commitment_signed.checked, companions: picked("companions"), note: el.note.value.trim(),
      lat: fix ? fix.lat : null, lon: fix ? fix.lon : null, accuracy_m: fix ? fix.acc : null };
    TN.patchStatus(hid, data.outcome);
    TN.outbox.add("visit", data, L.user).then(function (entry) {
      return TN.photos && TN.photos.attach(form, entry.id);  // sent after the visit's receipt
    }).then(function () { return soon(TN.syncNow()); }).then(function () {
      location.href = "/villages/" + f.v.id + "#h-" + hid;
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target, handled = false;
    if (form.matches("form.qa") && e.submitter && e.submitter.value) handled = quick(form, e.submitter.value);
    else if (form.matches("[data-outbox-undo]")) { handled = true; if (form.getAttribute("data-outbox-undo")) undo(form); }
    else if (form.matches("[data-new-household]")) handled = newHousehold(form);
    else if (form.matches("[data-offline-visit]") || (TN.photos && TN.photos.chosen(form) && TN.pack() &&
             TN.findHousehold(location.pathname.split("/").pop()))) { handled = true; offlineVisit(form); }
    else if (form.matches("[data-logout]") && !form.dataset.confirmed) { handled = true; logout(form); }
    if (handled) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-sync-now],[data-resend],[data-discard]");
    if (!b) return;
    if (b.hasAttribute("data-sync-now")) return sync();
    var id = b.closest("[data-entry]").getAttribute("data-entry");
    TN.outbox.get(id).then(function (entry) {
      if (!entry) return;
      if (b.hasAttribute("data-discard")) {
        if (confirm(L.discard_confirm)) return TN.outbox.remove([id]);
        return;
      }
      // A fix is a new entry (new id, new sequence number); the refused one goes.
      return TN.outbox.add(entry.type, entry.data, L.user).then(function () { return TN.outbox.remove([id]); }).then(sync);
    }).then(refreshUi);
  });

  // Logout: try to send first, warn about what is still unsent, then wipe the phone's copy.
  function logout(form) {
    Promise.race([TN.syncNow(), new Promise(function (ok) { setTimeout(ok, 5000); })]).then(function () {
      return Promise.all([TN.outbox.all(), TN.photos ? TN.photos.all() : []]);
    }).then(function (both) {
      var all = both[0].concat(both[1]);
      if (all.length && !confirm(L.logout_unsent.replace("%(n)s", all.length))) return;
      return TN.outbox.clear().then(function () {
        return window.caches ? caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("tn-shell") === 0; }).map(function (k) { return caches.delete(k); }));
        }) : null;
      }).then(function () {
        // The page may be an old cached shell: sign out with the session's current token.
        return fetch("/api/session", { credentials: "same-origin" }).then(function (r) { return r.json(); })
          .then(function (s) { form.elements.csrf_token.value = s.csrf_token; }).catch(function () {});
      }).then(function () { form.dataset.confirmed = "1"; form.submit(); });
    });
  }

  function serviceWorker() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function (reg) {
      if (!document.getElementById("offline-app") && reg.active) reg.active.postMessage("cache-shell");
      document.documentElement.setAttribute("data-sw-ready", "");
    }).catch(function () {});
  }

  function start() {
    var el = document.getElementById("tn-labels");
    if (!el) return;
    L = JSON.parse(el.textContent);
    var counter = $("[data-outbox-count]");
    if (counter && L.may_record && !$("[data-sync-now]")) {
      counter.insertAdjacentHTML("afterend", '<button type="button" class="sync-btn" data-sync-now>' + esc(L.sync) + "</button>");
    }
    var form = $("form[method=post]:not([action])");
    if (form && /^\/households\/new$/.test(location.pathname) && form.elements.head_name) form.setAttribute("data-new-household", "");
    var shell = document.getElementById("offline-app");
    TN.loadPack().then(function (p) {
      if (p && p.user !== L.user) return TN.outbox.setMeta("pack", null).then(TN.loadPack);
    }).then(withLocalHouseholds).then(function () {
      if (shell) TN.renderShell(L);
      refreshUi();
      return TN.outbox.meta("pack_at");
    }).then(function (at) {
      // A fresh pack is reused for a couple of minutes; a sync that sent something refreshes it.
      if (TN.pack() && at && Date.now() - at < 120000) return;
      return TN.refreshPack(L.user).then(withLocalHouseholds);
    }).then(function () {
      document.documentElement.setAttribute("data-pack-ready", "");
      if (shell) TN.renderShell(L);
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    }).catch(function () {}).then(function () { refreshUi(); sync(); });
    serviceWorker();
    window.addEventListener("online", sync);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") sync(); });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
