/* Từng Nhà offline pack: kept in IndexedDB (refreshed with an ETag), and the offline shell
   that draws my villages, a village's households (search without diacritics, status
   filter) and one household from it when the server cannot be reached. */
(function () {
  "use strict";
  var TN = window.TN = window.TN || {};
  var L = {}, pack = null;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  TN.esc = esc;
  TN.fold = function (s) {
    return String(s || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };

  var reading = null;  // one read of the stored pack for every page script that asks at once
  TN.loadPack = function () {
    return reading || (reading = TN.outbox.meta("pack").then(function (p) { reading = null; pack = p || null; return pack; }));
  };
  // Fetch the pack when it changed (304 costs a few bytes); resolves with the pack in use.
  TN.refreshPack = function (user) {
    return TN.outbox.meta("pack_etag").then(function (etag) {
      var headers = { Accept: "application/json" };
      if (etag && pack && pack.user === user) headers["If-None-Match"] = etag;
      return fetch("/api/me/pack", { credentials: "same-origin", headers: headers, cache: "no-store", redirect: "manual" });
    }).then(function (r) {
      // Fresh only on a 304 or once a JSON pack is stored: a Wi-Fi login page answers 200 too.
      if (r.status === 304) return TN.outbox.setMeta("pack_at", Date.now()).then(function () { return pack; });
      if (!r.ok || (r.headers.get("content-type") || "").indexOf("application/json") !== 0) throw new Error("pack " + r.status);
      var etag = r.headers.get("ETag");
      return r.json().then(function (p) {
        p.user = user;
        pack = p;
        return TN.outbox.setMeta("pack", p).then(function () { return TN.outbox.setMeta("pack_etag", etag); })
          .then(function () { return TN.outbox.setMeta("pack_at", Date.now()); }).then(function () { return p; });
      });
    });
  };

  // Household by id, with its village, from the pack.
  TN.findHousehold = function (id) {
    var found = null;
    (pack && pack.villages || []).forEach(function (v) {
      v.households.forEach(function (h) { if (h.id === id) found = { h: h, v: v }; });
    });
    return found;
  };
  // Record a tap in the pack at once so every page shows it, sent or not.
  TN.patchStatus = function (id, outcome) {
    var f = TN.findHousehold(id);
    if (!f) return null;
    var before = f.h.status;
    f.h.status = outcome === "warned" ? "warned" : (before === "warned" ? "warned" : "revisit");
    f.h.visit_count = (f.h.visit_count || 0) + 1;
    TN.outbox.setMeta("pack", pack);
    return before;
  };
  TN.setStatus = function (id, status) {
    var f = TN.findHousehold(id);
    if (f) { f.h.status = status; TN.outbox.setMeta("pack", pack); }
  };
  TN.pack = function () { return pack; };
  TN.usePack = function (p) { pack = p; };  // bench/b_sync.py draws the shell from a pack of its own

  function rowHtml(h, canRecord) {
    var st = h.status, addr = esc(h.address);
    var code = h.code && addr.indexOf("Số " + esc(h.code)) !== 0 ? esc(h.code) + " · " : "";
    var qa = canRecord && st !== "warned" && st !== "excluded" ?
      '<form class="qa" method="post" action="/households/' + h.id + '/quick"><button name="outcome" value="warned" class="ok">' +
      esc(L.btn_warned) + '</button><button name="outcome" value="nobody_home" class="away">' + esc(L.btn_away) + "</button></form>" : "";
    return '<li id="h-' + h.id + '" data-household-id="' + h.id + '" class="st-' + st + '"><a href="/households/' + h.id + '"><b>' +
      esc(h.head_name) + '</b> <span class="chip">' + esc(L[st]) + "</span>" + (h.youth ? ' <span class="yb">12–24: ' + h.youth + "</span>" : "") +
      "<br><small>" + code + addr + (h.visit_count ? " · " + h.visit_count + "×" : "") + "</small></a>" + qa + "</li>";
  }
  TN.rowHtml = rowHtml;

  function counts(v) {
    var c = { warned: 0, revisit: 0, not_visited: 0, excluded: 0 };
    v.households.forEach(function (h) { c[h.status] = (c[h.status] || 0) + 1; });
    return c;
  }

  function villagesPage(app) {
    var items = pack.villages.map(function (v) {
      var c = counts(v), base = v.households.length - c.excluded, ratio = base ? c.warned / base : 0;
      return '<li><a class="card village" href="/villages/' + v.id + '"><span class="v-name"><b>' + esc(v.code) + "</b> " + esc(v.name) +
        '</span><span class="v-figs">' + c.warned + "/" + base + " · " + Math.round(ratio * 100) + '%</span><span class="progress"><span class="p-warned" style="width:' +
        (ratio * 100).toFixed(1) + '%"></span></span><span class="v-left small">' + esc(L.not_visited) + ": <b>" + c.not_visited + "</b> · " + esc(L.revisit) + ": <b>" + c.revisit + "</b></span></a></li>";
    });
    app.innerHTML = "<h1>" + esc(L.my_villages) + "</h1>" + (pack.campaign ? '<p class="muted small">' + esc(pack.campaign.name) + "</p>" : "") +
      '<ul class="villages">' + items.join("") + "</ul>";
  }

  var LIMIT = 150;  // rows drawn at once; "more" draws the next ones
  // Households of a village matching every folded word of q, youths first (the pack's order).
  TN.search = function (households, q, status) {
    var words = TN.fold(q).split(/\s+/).filter(Boolean);
    return households.filter(function (h) {
      if (status && h.status !== status) return false;
      var key = h._key || (h._key = TN.fold(h.code + " " + h.head_name + " " + h.address));
      for (var i = 0; i < words.length; i++) if (key.indexOf(words[i]) < 0) return false;
      return true;
    });
  };

  function villagePage(app, v) {
    var opts = ["not_visited", "revisit", "warned", "excluded"].map(function (s) { return '<option value="' + s + '">' + esc(L[s]) + "</option>"; });
    app.innerHTML = '<nav class="crumbs"><a href="/villages/">← ' + esc(L.my_villages) + "</a></nav><h1>" + esc(v.code) + " · " + esc(v.name) + "</h1>" +
      '<p class="view-switch"><a class="btn" href="/villages/' + v.id + '/map" data-map-link>' + esc(L.map) + "</a></p>" +
      '<form class="search" data-offline-search><input type="search" name="q" placeholder="' + esc(L.search) + '" aria-label="' + esc(L.search) +
      '" autocomplete="off"><select name="status" aria-label="' + esc(L.status) + '"><option value="">' + esc(L.all) + "</option>" + opts.join("") +
      '</select></form><div id="households"></div>';
    var add = fromTemplate("tpl-add-household");
    if (add) {
      add.querySelector("a").href += v.id;
      app.insertBefore(add, app.querySelector("#households"));
    }
    var form = app.querySelector("form"), box = app.querySelector("#households");
    var shown = LIMIT;
    function draw() {
      var rows = TN.search(v.households, form.q.value, form.status.value);
      box.innerHTML = '<p class="muted small" aria-live="polite">' + rows.length + " " + esc(L.households) + "</p>" +
        '<ul class="hh">' + (rows.slice(0, shown).map(function (h) { return rowHtml(h, L.may_record); }).join("") ||
        '<li class="empty">' + esc(L.no_match) + "</li>") + "</ul>" +
        (rows.length > shown ? '<button type="button" class="btn btn-block" data-more>' + esc(L.more || "…") + "</button>" : "");
      TN.markPending && TN.markPending();
    }
    box.addEventListener("click", function (e) {
      if (e.target.hasAttribute("data-more")) { shown += LIMIT; draw(); }
    });
    form.addEventListener("input", function () { shown = LIMIT; draw(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); draw(); });
    draw();
  }

  // A form the shell page carries in a <template>, or nothing (roles that only read).
  function fromTemplate(id) {
    var t = document.getElementById(id);
    return t ? t.content.cloneNode(true) : null;
  }

  // "dd/mm/yyyy HH:MM" in Vietnam time (UTC+7), whatever the phone's zone.
  function vnTime(iso) {
    var d = new Date(Date.parse(iso) + 7 * 3600e3), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getUTCDate()) + "/" + p(d.getUTCMonth() + 1) + "/" + d.getUTCFullYear() + " " + p(d.getUTCHours()) + ":" + p(d.getUTCMinutes());
  }
  function historyItem(at, outcome, by, pending) {
    return '<li class="o-' + esc(outcome) + (pending ? ' pending"' : '"') + "><b>" + esc(L["o_" + outcome] || outcome) + "</b> · " + esc(vnTime(at)) +
      (pending ? ' <span class="chip">' + esc(L.pending) + "</span>" : "") + "<br><small>" + esc(by.join(", ")) + "</small></li>";
  }

  function householdPage(app, f) {
    var h = f.h;
    app.innerHTML = '<nav class="crumbs"><a href="/villages/' + f.v.id + '">← ' + esc(f.v.name) + "</a></nav>" +
      '<ul class="hh">' + rowHtml(h, L.may_record) + '</ul><section class="card"><h2>' + esc(L.history) + "</h2>" +
      '<ol class="history" id="offline-history">' + (h.history || []).map(function (x) {
        return historyItem(x.at, x.outcome, x.by, false);
      }).join("") + "</ol>" + (h.history && h.history.length ? "" : '<p class="muted" id="offline-none">' + esc(L.no_visit) + "</p>") +
      '<p class="muted small">' + esc(L.offline_detail) + "</p></section>";
    TN.outbox.all().then(function (list) {  // this phone's unsent visits of the household, first
      var mine = list.filter(function (e) { return e.type === "visit" && e.data.household_id === h.id; }).reverse();
      var names = {};
      names[L.user] = L.user_name;
      (f.v.team || []).forEach(function (u) { names[u.username] = u.name; });
      var named = function (u) { return names[u] || u; };
      document.getElementById("offline-history").insertAdjacentHTML("afterbegin", mine.map(function (e) {
        return historyItem(e.recorded_at, e.data.outcome, [e.user].concat(e.data.companions || []).map(named), true);
      }).join(""));
      var none = document.getElementById("offline-none");
      if (none && mine.length) none.remove();
    });
    var form = fromTemplate("tpl-visit"), box = form && form.querySelector("[data-companions]"), team = f.v.team || [];
    if (!form) return;
    if (box) team.forEach(function (u) {  // the village's team from the pack, as on the online form
      box.insertAdjacentHTML("beforeend", '<label class="check"><input type="checkbox" name="companions" value="' + esc(u.username) + '"> <span>' + esc(u.name) + "</span></label>");
    });
    if (box) box.hidden = !team.length;
    app.appendChild(form);
  }

  function newHouseholdPage(app, v) {
    app.innerHTML = '<nav class="crumbs"><a href="/villages/' + v.id + '">← ' + esc(v.name) + "</a></nav>";
    var form = fromTemplate("tpl-household");
    if (form) app.appendChild(form);
  }

  // The shell page: draw what the address asks for from the pack.
  TN.renderShell = function (labels, path) {
    L = labels;
    var app = document.getElementById("offline-app"), m;
    if (!app) return;
    path = path || location.pathname;
    if (!pack) { app.innerHTML = '<p class="card">' + esc(L.no_pack) + "</p>"; return; }
    if ((m = path.match(/^\/villages\/(\d+)$/))) {
      var v = pack.villages.filter(function (x) { return String(x.id) === m[1]; })[0];
      if (v) return villagePage(app, v);
    } else if (path === "/households/new") {
      var id = new URLSearchParams(location.search).get("village");
      var nv = pack.villages.filter(function (x) { return String(x.id) === id; })[0];
      if (nv) return newHouseholdPage(app, nv);
    } else if ((m = path.match(/^\/households\/([0-9a-f-]{36})$/))) {
      var f = TN.findHousehold(m[1]);
      if (f) return householdPage(app, f);
    } else return villagesPage(app);
    app.innerHTML = '<p class="card">' + esc(L.not_in_pack) + '</p><p><a class="btn" href="/villages/">' + esc(L.my_villages) + "</a></p>";
  };
})();
