/* Từng Nhà field client: quick actions, corrections, withdrawals and new households go to the
   outbox first (online or not); rows and the village's counters change at each tap, the next
   house comes into view, undo puts the row back as it was; "nearest first" with a GPS fix;
   sync triggers, the service worker, and logout that clears offline personal data. The
   sync status words and the list of entries to fix are in attention.js. */
(function () {
  "use strict";
  var TN = window.TN, L = {}, undoTimers = {};
  var $ = function (s, el) { return (el || document).querySelector(s); };
  var esc = function (s) { return TN.esc(s); };

  TN.onSyncEnd = afterSync;  // sync.js calls it after every run (not in the service worker)
  TN.onEnded = function () { location.replace("/login"); };  // after the wipe (sync.js)

  function refreshUi() {
    return TN.outbox.all().then(function (all) {
      var pending = all.filter(function (e) { return e.state === "pending"; });
      markPending(pending);
      TN.drawStatus && TN.drawStatus(all);
      drawClock();
      return all;
    });
  }
  TN.refreshUi = refreshUi;

  function byHousehold(pending) {
    var ids = {};
    pending.forEach(function (e) {
      var hid = e.data && e.data.household_id;
      if ((e.type === "visit" || e.type === "withdrawal") && hid) (ids[hid] = ids[hid] || []).push(e);
    });
    return ids;
  }
  function markPending(pending) {
    var ids = byHousehold(pending || []);
    document.querySelectorAll("li[data-household-id]").forEach(function (li) {
      var id = li.getAttribute("data-household-id"), f = ids[id] && TN.findHousehold(id);
      li.classList.toggle("pending", !!ids[id]);
      li.title = ids[id] ? L.pending : "";
      if (f && !li.querySelector("[data-outbox-undo]")) {  // the phone knows better than the page
        setRow(li, TN.localStatus(f.h, ids[id]));
        var qa = li.querySelector("form.qa");
        if (qa && (f.h.status === "warned" || f.h.status === "excluded")) qa.remove();
      }
    });
  }
  TN.markPending = function () { TN.outbox.pending().then(markPending); };

  // The phone's clock more than CLOCK_SLACK away from the server's: say so (visits carry it).
  var CLOCK_SLACK = 5 * 60000;
  function drawClock() {
    var box = $("#tn-clock"), off = TN.syncState.clockOffset || 0;
    if (Math.abs(off) < CLOCK_SLACK) { if (box) box.remove(); return; }
    var minutes = Math.round(Math.abs(off) / 60000), hours = Math.round(minutes / 60), days = Math.round(hours / 24);
    var diff = minutes < 120 ? L.n_minutes.replace("%(n)s", minutes) :
      hours < 48 ? L.n_hours.replace("%(n)s", hours) : L.n_days.replace("%(n)s", days);
    if (!box) {
      box = document.createElement("p");
      box.id = "tn-clock"; box.className = "flash flash-error"; box.setAttribute("role", "alert");
    }
    if ($("main").firstChild !== box) $("main").insertBefore(box, $("main").firstChild);  // the cause, first
    box.textContent = (off > 0 ? L.clock_ahead : L.clock_behind).replace("%(diff)s", diff);
  }

  function afterSync(sent) {
    refreshUi().then(function () {
      if (sent && sent.length) TN.refreshPack(L.user).then(withLocal).catch(function () {});
      sent && sent.forEach(function (id) { if (undoTimers[id]) undoTimers[id](); });
    });
  }
  // What the phone holds that the server has not acknowledged yet, applied to the pack: new
  // households (pending ones only: a refused one is not shown as if it were real) and the
  // statuses that unsent visits, corrections and withdrawals give.
  function withLocal() {
    return TN.outbox.all().then(function (all) {
      var p = TN.pack();
      if (!p) return;
      var pending = all.filter(function (e) { return e.state === "pending"; });
      pending.forEach(function (e) {
        if (e.type !== "household" || TN.findHousehold(e.id)) return;
        p.villages.forEach(function (v) {
          if (v.id === e.data.village_id) v.households.unshift(Object.assign({ id: e.id, status: "not_visited", household_status: "active", code: "", history: [], local: true }, e.data));
        });
      });
      all.forEach(function (e) {  // a refused or discarded new household leaves the lists
        if (e.type === "household" && e.state !== "pending") p.villages.forEach(function (v) {
          v.households = v.households.filter(function (h) { return !(h.local && h.id === e.id); });
        });
      });
      var ids = byHousehold(pending);
      Object.keys(ids).forEach(function (hid) {
        var f = TN.findHousehold(hid);
        if (f) f.h.status = TN.localStatus(f.h, ids[hid]);
      });
      return TN.savePack();
    });
  }
  TN.withLocal = withLocal;

  // "Đồng bộ", or the connection back: send, then take what changed on the server.
  function syncAndRefresh() {
    return TN.syncNow().then(function () { return TN.refreshPack(L.user); }).then(withLocal)
      .catch(function () {}).then(refreshUi);
  }

  // A send that ends quickly online, or gives up waiting when the server hangs.
  function soon(promise) { return Promise.race([promise, new Promise(function (ok) { setTimeout(ok, 1500); })]); }

  function setRow(li, status) {
    li.className = li.className.replace(/\bst-\w+/, "st-" + status);
    var chip = li.querySelector(".chip");
    if (chip) chip.textContent = L[status];
  }
  // The village's counters (chưa đến / cần quay lại / đã cảnh báo) follow each tap.
  function bump(from, to) {
    if (from === to) return;
    [[from, -1], [to, 1]].forEach(function (x) {
      var el = $('[data-counters] [data-count="' + x[0] + '"]');
      if (el) el.textContent = Math.max(0, Number(el.textContent.replace(/\D/g, "")) + x[1]).toLocaleString("vi-VN");
    });
  }
  // The next house to go to comes into view: the next not visited below, else to visit again.
  function bringNext(li) {
    var rows = Array.prototype.slice.call(li.parentNode.querySelectorAll("li[data-household-id]"));
    var at = rows.indexOf(li), ring = rows.slice(at + 1).concat(rows.slice(0, at));
    var next = ring.filter(function (r) { return r.classList.contains("st-not_visited"); })[0] ||
      ring.filter(function (r) { return r.classList.contains("st-revisit"); })[0];
    document.querySelectorAll("li.next").forEach(function (r) { r.classList.remove("next"); });
    if (!next) return;
    next.classList.add("next");
    next.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  // One tap: the campaign's standard visit into the outbox; the row and counters change at once.
  function quick(form, outcome) {
    var li = form.closest("li[data-household-id]"), id = li.getAttribute("data-household-id");
    var p = TN.pack(), f = TN.findHousehold(id), fix = window.tungNhaFix && window.tungNhaFix();
    if (!p || !p.campaign || p.campaign.state !== "running" || !f || !p.status_rule) return false;
    var data = Object.assign(TN.standardVisit(p.campaign, outcome), { household_id: id, campaign_id: p.campaign.id,
      lat: fix ? fix.lat : null, lon: fix ? fix.lon : null, accuracy_m: fix ? fix.acc : null });
    var original = li.outerHTML, before = { status: f.h.status, count: f.h.visit_count || 0 };
    var status = TN.statusWith(p.status_rule, f.h, [outcome]);
    f.h.status = status;
    f.h.visit_count = before.count + 1;
    TN.savePack();
    bump(before.status, status);
    setRow(li, status);
    li.classList.add("pending");
    form.outerHTML = '<form class="undo" data-outbox-undo><span>' + esc(L.saving) + "</span></form>";
    bringNext(li);
    TN.outbox.add("visit", data, L.user).then(function (entry) {
      var box = li.querySelector("[data-outbox-undo]"), shown = false;
      box.originalRow = original;
      box.before = before;
      var show = function () {
        delete undoTimers[entry.id];
        if (shown || !box.isConnected) return;
        shown = true;
        box.setAttribute("data-outbox-undo", entry.id);
        box.style.setProperty("--undo", L.undo_seconds + "s");
        box.innerHTML = "<span>" + esc(L.saved) + ' ✓ <small class="did">' + esc(TN.recorded(data)) + "</small></span> <button>" + esc(L.undo) + "</button>";
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

  // Undo: drop the entry if it is still queued, else ask the server to withdraw the visit;
  // the row goes back exactly as it was before the tap, and the counters with it.
  function undo(form) {
    var id = form.getAttribute("data-outbox-undo"), li = form.closest("li[data-household-id]");
    var hid = li.getAttribute("data-household-id"), before = form.before, original = form.originalRow;
    TN.outbox.get(id).then(function (entry) {
      if (entry) return TN.outbox.remove([id]);
      return TN.syncNow().then(function () {
        return fetch("/households/visits/" + id + "/undo", { method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": $("meta[name=csrf-token]").content, "HX-Request": "true" } });
      }).then(function (r) { if (!r.ok) throw new Error(r.status); });
    }).then(function () {
      TN.outbox.forgetSent([id]);  // withdrawn: never to be sent again after a restore
      var f = TN.findHousehold(hid);
      if (f && before) { bump(f.h.status, before.status); f.h.status = before.status; f.h.visit_count = before.count; TN.savePack(); }
      li.outerHTML = original || TN.rowHtml(f.h, true);
      var fresh = document.getElementById("h-" + hid);
      if (fresh && window.htmx) htmx.process(fresh);
      refreshUi();
    }).catch(function () { form.innerHTML = "<span>" + esc(L.undo_failed) + "</span>"; });
  }

  // A household found in the field: into the outbox and the pack, then open it, with its buttons.
  function newHousehold(form) {
    var vid = Number(new URLSearchParams(location.search).get("village"));
    var p = TN.pack();
    if (!p || !form.checkValidity()) return false;
    var f = form.elements, num = function (n) { return f[n] && f[n].value !== "" ? Number(f[n].value) : null; };
    var data = { village_id: vid, head_name: f.head_name.value.trim(), code: f.code.value.trim(), address: f.address.value.trim(),
      phone: f.phone.value.trim() || null, members: num("members"), youth: num("youth"), lat: num("lat"), lon: num("lon") };
    if (!data.head_name || data.members === null || data.youth === null) return false;
    TN.outbox.add("household", data, L.user).then(function (entry) {
      return withLocal().then(function () {
        return soon(TN.syncNow());
      }).then(function () { location.href = "/households/" + entry.id; });
    });
    return true;
  }

  // The full visit form drawn by the offline household page (a new visit, or a correction):
  // into the outbox, then back to the list at the next house.
  function offlineVisit(form) {
    if (!form.reportValidity()) return;
    var hid = location.pathname.split("/").pop(), f = TN.findHousehold(hid), p = TN.pack();
    var el = form.elements, num = function (n) { return el[n].value === "" ? 0 : Number(el[n].value); };
    var picked = function (n) { return Array.prototype.filter.call(form.querySelectorAll("[name=" + n + "]:checked"), Boolean).map(function (i) { return i.value; }); };
    var fix = window.tungNhaFix && window.tungNhaFix(), outcome = picked("outcome")[0], warned = outcome === "warned";
    var data = { household_id: hid, campaign_id: p.campaign.id, outcome: outcome, topics: warned ? picked("topics") : [],
      materials: warned ? picked("materials") : [], people_reached: warned ? num("people_reached") : 0,
      youth_reached: warned ? num("youth_reached") : 0, commitment_signed: warned && el.commitment_signed.checked,
      companions: picked("companions"), note: el.note.value.trim(),
      lat: fix ? fix.lat : null, lon: fix ? fix.lon : null, accuracy_m: fix ? fix.acc : null };
    var supersedes = form.getAttribute("data-supersedes");
    if (supersedes) { data.supersedes = supersedes; data.reason = el.reason.value.trim(); }
    TN.outbox.add("visit", data, L.user).then(function (entry) {
      return TN.photos && TN.photos.attach(form, entry.id);  // sent after the visit's receipt
    }).then(function () { return withLocal(); }).then(function () {
      return soon(TN.syncNow());
    }).then(function () {
      var next = supersedes ? f.h : TN.nextHouse(f.v, hid);
      location.href = "/villages/" + f.v.id + (next ? "#h-" + next.id : "");
    });
  }

  // Withdraw a visit from the offline household page, with the reason given.
  function offlineWithdraw(form) {
    var hid = location.pathname.split("/").pop(), reason = form.elements.reason.value.trim();
    if (!reason) return form.reportValidity();
    TN.outbox.add("withdrawal", { visit_id: form.getAttribute("data-withdraw-form"), household_id: hid, reason: reason }, L.user)
      .then(function () { return withLocal(); }).then(function () { return soon(TN.syncNow()); })
      .then(function () { TN.renderShell(L); refreshUi(); });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target, handled = false;
    if (form.matches("form.qa") && e.submitter && e.submitter.value) handled = quick(form, e.submitter.value);
    else if (form.matches("[data-outbox-undo]")) { handled = true; if (form.getAttribute("data-outbox-undo")) undo(form); }
    else if (form.matches("[data-new-household]")) handled = newHousehold(form);
    else if (form.matches("[data-offline-visit]") || (TN.photos && TN.photos.chosen(form) && TN.pack() &&
             TN.findHousehold(location.pathname.split("/").pop()))) { handled = true; offlineVisit(form); }
    else if (form.matches("[data-withdraw-form]") && document.getElementById("offline-app")) { handled = true; offlineWithdraw(form); }
    else if (form.matches("[data-logout]") && !form.dataset.confirmed) { handled = true; logout(form); }
    if (handled) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-sync-now],[data-correct],[data-withdraw],[data-nearest]");
    if (!b) return;
    if (b.hasAttribute("data-sync-now")) {  // visible feedback while it runs
      if (b.disabled) return;
      var label = b.textContent;
      b.disabled = true;
      b.textContent = L.syncing;
      return syncAndRefresh().then(function () { b.disabled = false; b.textContent = label; });
    }
    if (b.hasAttribute("data-nearest")) return nearest(b);
    if (!document.getElementById("offline-app")) return;  // online pages have their own forms
    e.preventDefault();
    var f = TN.findHousehold(location.pathname.split("/").pop());
    if (!f) return;
    var id = b.getAttribute(b.hasAttribute("data-correct") ? "data-correct" : "data-withdraw");
    var visit = (f.h.history || []).filter(function (x) { return x.id === id; })[0];
    if (b.hasAttribute("data-correct")) return TN.visitForm($("#offline-form"), f, visit);
    var item = b.closest("li");
    if (!item.querySelector("[data-withdraw-form]")) {
      item.insertAdjacentHTML("beforeend", '<form class="stack" data-withdraw-form="' + esc(id) + '"><label>' + esc(L.withdraw_reason) +
        '<textarea name="reason" rows="2" required maxlength="500"></textarea></label><button class="btn">' + esc(L.withdraw) + "</button></form>");
    }
    item.querySelector("textarea").focus();
  });

  // "Nearest first": the list by distance from the phone's fix (points from the pack);
  // a second tap goes back to walking order.
  function nearest(b) {
    var list = $("ul.hh"), fix = window.tungNhaFix && window.tungNhaFix();
    if (!list || !fix) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll("li[data-household-id]"));
    rows.forEach(function (li, i) { if (!li.hasAttribute("data-walk")) li.setAttribute("data-walk", i); });
    var on = b.getAttribute("aria-pressed") !== "true", k = Math.cos(fix.lat * Math.PI / 180);
    var far = function (li) {
      var f = TN.findHousehold(li.getAttribute("data-household-id")), h = f && f.h;
      if (!on) return Number(li.getAttribute("data-walk"));
      if (!h || h.lat == null) return Infinity;
      return Math.pow((h.lon - fix.lon) * k, 2) + Math.pow(h.lat - fix.lat, 2);
    };
    rows.sort(function (x, y) { return far(x) - far(y); }).forEach(function (li) { list.appendChild(li); });
    b.setAttribute("aria-pressed", on ? "true" : "false");
    b.textContent = on ? L.walk_order : L.nearest;
    window.scrollTo({ top: list.getBoundingClientRect().top + window.scrollY - 120 });
  }
  TN.nearestReady = function () {
    var b = $("[data-nearest]"), m = location.pathname.match(/^\/villages\/(\d+)$/), p = TN.pack();
    var inPack = m && p && p.villages.some(function (v) { return String(v.id) === m[1]; });
    if (b) b.hidden = !(inPack && window.tungNhaFix && window.tungNhaFix());
  };
  document.addEventListener("tn:fix", function () { TN.nearestReady(); });

  // Logout: try to send first, warn about what is still unsent, then wipe the phone's copy.
  function logout(form) {
    Promise.race([TN.syncNow(), new Promise(function (ok) { setTimeout(ok, 5000); })]).then(function () {
      return Promise.all([TN.outbox.all(), TN.photos ? TN.photos.all() : []]);
    }).then(function (both) {
      var all = both[0].concat(both[1]);
      if (all.length && !confirm(L.logout_unsent.replace("%(n)s", all.length))) return;
      return TN.outbox.wipe().then(function () {
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
    TN.setLabels(L);
    var form = $("form[method=post]:not([action])");
    if (form && /^\/households\/new$/.test(location.pathname) && form.elements.head_name) form.setAttribute("data-new-household", "");
    var shell = document.getElementById("offline-app");
    TN.outbox.meta("clock_offset").then(function (off) {  // the last comparison, until the next one
      if (off && !TN.syncState.clockOffset) { TN.syncState.clockOffset = off; drawClock(); }
    });
    TN.loadPack().then(function (p) {
      if (p && p.user !== L.user) return TN.outbox.setMeta("pack", null).then(TN.loadPack);
    }).then(withLocal).then(function () {
      if (shell) TN.renderShell(L);
      refreshUi();
      return TN.outbox.meta("pack_at");
    }).then(function (at) {
      // A fresh pack is reused for a couple of minutes; a sync that sent something refreshes it.
      if (TN.pack() && at && Date.now() - at < 120000) return;
      return TN.refreshPack(L.user).then(withLocal);
    }).then(function () {
      document.documentElement.setAttribute("data-pack-ready", "");
      if (shell) TN.renderShell(L);
      TN.nearestReady();
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    }).catch(function () {}).then(function () { refreshUi(); TN.syncNow(); });
    serviceWorker();
    window.addEventListener("online", syncAndRefresh);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") TN.syncNow(); });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
