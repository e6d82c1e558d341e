/* Từng Nhà offline pack: kept in IndexedDB, refreshed with only what changed since its
   version; the status rule and the standard visit as the server states them in the pack;
   and the offline shell that draws my villages, a village's households (walking order,
   search without diacritics, status filter) and one household from it. */
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

  /* ---- The server's rules, applied to what the phone has not sent yet ---- */

  // A household's status from its household status and the outcomes of its visits in force,
  // by the pack's status_rule (the same data the server builds its SQL from).
  TN.statusOf = function (rule, householdStatus, outcomes) {
    var best = null;
    (outcomes || []).forEach(function (o) {
      var r = rule.rank[o];
      if (r != null && (best === null || r < best)) best = r;
    });
    for (var i = 0; i < rule.clauses.length; i++) {
      var c = rule.clauses[i];
      if ("best" in c ? c.best === best : householdStatus !== "active") return c.status;
    }
    return rule.otherwise;
  };
  // The status a household shows once `outcomes` are added to what the server said.
  TN.statusWith = function (rule, h, outcomes) {
    var stands = [];
    rule.clauses.forEach(function (c) {  // an outcome of the rank the current status stands for
      if ("best" in c && c.status === h.status && !stands.length) {
        Object.keys(rule.rank).forEach(function (o) { if (rule.rank[o] === c.best && !stands.length) stands.push(o); });
      }
    });
    return TN.statusOf(rule, h.household_status, stands.concat(outcomes || []));
  };
  // The status with this phone's unsent entries for the household (visits, corrections,
  // withdrawals): from the visits in force it carries when some are taken back.
  TN.localStatus = function (h, entries) {
    var rule = pack && pack.status_rule, gone = {}, outcomes = [], back = false;
    if (!rule) return h.status;
    entries.forEach(function (e) {
      if (e.type === "withdrawal") { gone[e.data.visit_id] = back = true; }
      if (e.type === "visit") {
        outcomes.push(e.data.outcome);
        if (e.data.supersedes) gone[e.data.supersedes] = back = true;
      }
    });
    if (!back) return TN.statusWith(rule, h, outcomes);
    var kept = (h.history || []).filter(function (x) { return !gone[x.id]; }).map(function (x) { return x.outcome; });
    return TN.statusOf(rule, h.household_status, kept.concat(outcomes));
  };
  // The one-tap visit: the campaign's standard package when warned, nothing else otherwise.
  TN.standardVisit = function (campaign, outcome) {
    var warned = outcome === "warned", s = campaign.standard || { topics: [], materials: [] };
    return { outcome: outcome, topics: warned ? s.topics.slice() : [], materials: warned ? s.materials.slice() : [],
      people_reached: warned ? 1 : 0, youth_reached: 0, commitment_signed: false, companions: [], note: "" };
  };
  // "12 nội dung · Tờ rơi": what a visit recorded, for the row and the confirmation.
  TN.recorded = function (data) {
    var parts = [L["o_" + data.outcome] || data.outcome];
    if (data.topics && data.topics.length) parts.push(data.topics.length + " " + L.topics_word);
    (data.materials || []).forEach(function (m) { parts.push(L["m_" + m] || m); });
    return parts.join(" · ");
  };

  /* ---- The pack on the phone ---- */

  var reading = null;  // one read of the stored pack for every page script that asks at once
  TN.loadPack = function () {
    return reading || (reading = TN.outbox.meta("pack").then(function (p) { reading = null; pack = p || null; return pack; }));
  };
  function store(p) {
    pack = p;
    return TN.outbox.setMeta("pack", p).then(function () { return TN.outbox.setMeta("pack_at", Date.now()); })
      .then(function () { return p; });
  }
  // Fetch what changed since the pack's version (a few hundred bytes after a tap), or the
  // whole pack (304 when unchanged); resolves with the pack in use.
  TN.refreshPack = function (user) {
    var mine = pack && pack.user === user, url = "/api/me/pack";
    return TN.outbox.meta("pack_etag").then(function (etag) {
      var headers = { Accept: "application/json" };
      if (mine && pack.version) url += "?since=" + encodeURIComponent(pack.version);
      else if (etag && mine) headers["If-None-Match"] = etag;
      return fetch(url, { credentials: "same-origin", headers: headers, cache: "no-store", redirect: "manual" });
    }).then(function (r) {
      // Fresh only on a 304 or once a JSON pack is stored: a Wi-Fi login page answers 200 too.
      if (r.status === 304) { TN.reached = true; return TN.outbox.setMeta("pack_at", Date.now()).then(function () { return pack; }); }
      if (r.status === 401) {
        return r.json().catch(function () { return {}; }).then(function (b) {
          if (b.error !== "session_ended") throw new Error("pack 401");
          pack = null;
          return TN.ended().then(function () { throw new Error("signed out everywhere"); });
        });
      }
      if (!r.ok || (r.headers.get("content-type") || "").indexOf("application/json") !== 0) throw new Error("pack " + r.status);
      TN.reached = true;  // the server answered: the no-connection banner can go
      var etag = r.headers.get("ETag");
      return r.json().then(function (p) {
        if (!p.villages) return store(merge(pack, p));
        p.user = user;
        return TN.outbox.setMeta("pack_etag", etag).then(function () { return store(p); });
      });
    });
  };
  // A delta into the pack: changed households replace theirs (new ones join their village),
  // removed ones go; a route changed on the server reorders the village.
  function merge(p, d) {
    var removed = {};
    (d.removed || []).forEach(function (id) { removed[id] = true; });
    p.villages.forEach(function (v) {
      var resort = false;
      v.households = v.households.filter(function (h) { return !removed[h.id]; });
      d.changed.forEach(function (h) {
        if (h.village_id !== v.id) return;
        var at = v.households.map(function (x) { return x.id; }).indexOf(h.id), old = v.households[at];
        if (old && old.route !== h.route) resort = true;
        var fresh = Object.assign({}, h);
        delete fresh.village_id;
        if (at >= 0) v.households[at] = fresh; else v.households.push(fresh);
      });
      if (resort) {  // a stable sort: households without a route keep their alley order
        v.households = v.households.map(function (h, i) { return [h, i]; }).sort(function (a, b) {
          var ra = a[0].route == null ? Infinity : a[0].route, rb = b[0].route == null ? Infinity : b[0].route;
          return ra - rb || a[1] - b[1];
        }).map(function (x) { return x[0]; });
      }
    });
    p.version = d.version;
    return p;
  }
  TN.mergeDelta = merge;

  // Household by id, with its village, from the pack.
  TN.findHousehold = function (id) {
    var found = null;
    (pack && pack.villages || []).forEach(function (v) {
      v.households.forEach(function (h) { if (h.id === id) found = { h: h, v: v }; });
    });
    return found;
  };
  TN.savePack = function () { return pack ? TN.outbox.setMeta("pack", pack) : Promise.resolve(); };
  TN.pack = function () { return pack; };
  TN.usePack = function (p) { pack = p; };  // bench/b_sync.py draws the shell from a pack of its own

  // The next house after `id` in the village's walking order: the next not visited, else
  // the next to visit again (wrapping round); null when every one is done.
  TN.nextHouse = function (v, id) {
    var list = v.households, at = list.map(function (h) { return h.id; }).indexOf(id) + 1;
    var ring = list.slice(at).concat(list.slice(0, at)).filter(function (h) { return h.id !== id; });
    var pick = function (s) { return ring.filter(function (h) { return h.status === s; })[0]; };
    return pick("not_visited") || pick("revisit") || null;
  };

  /* ---- The offline shell ---- */

  function rowHtml(h, canRecord) {
    var st = h.status, addr = esc(h.address), running = pack && pack.campaign && pack.campaign.state === "running";
    var code = h.code && addr.indexOf("Số " + esc(h.code)) !== 0 ? esc(h.code) + " · " : "";
    var qa = canRecord && running && st !== "warned" && st !== "excluded" ?
      '<form class="qa" method="post" action="/households/' + esc(h.id) + '/quick"><button name="outcome" value="warned" class="ok">' +
      esc(L.btn_warned) + '</button><button name="outcome" value="nobody_home" class="away">' + esc(L.btn_away) + "</button></form>" : "";
    return '<li id="h-' + esc(h.id) + '" data-household-id="' + esc(h.id) + '" class="st-' + esc(st) + '"><a href="/households/' + esc(h.id) + '"><b>' +
      esc(h.head_name || "# " + h.code) + '</b> <span class="chip">' + esc(L[st]) + "</span>" + (h.youth ? ' <span class="yb">12–24: ' + esc(h.youth) + "</span>" : "") +
      "<br><small>" + code + addr + (h.visit_count ? " · " + esc(h.visit_count) + "×" : "") + "</small></a>" + qa + "</li>";
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
      return '<li><a class="card village" href="/villages/' + esc(v.id) + '"><span class="v-name"><b>' + esc(v.code) + "</b> " + esc(v.name) +
        '</span><span class="v-figs">' + c.warned + "/" + base + " · " + Math.round(ratio * 100) + '%</span><span class="progress"><span class="p-warned" style="width:' +
        (ratio * 100).toFixed(1) + '%"></span></span><span class="v-left small">' + esc(L.not_visited) + ": <b>" + c.not_visited + "</b> · " + esc(L.revisit) + ": <b>" + c.revisit + "</b></span></a></li>";
    });
    app.innerHTML = "<h1>" + esc(L.my_villages) + "</h1>" + (pack.campaign ? '<p class="muted small">' + esc(pack.campaign.name) + "</p>" : "") +
      '<ul class="villages">' + items.join("") + "</ul>";
  }

  var LIMIT = 150;  // rows drawn at once; "more" draws the next ones
  // Households of a village matching every folded word of q, in the pack's (walking) order.
  TN.search = function (households, q, status) {
    var words = TN.fold(q).split(/\s+/).filter(Boolean);
    return households.filter(function (h) {
      if (status && h.status !== status) return false;
      var key = h._key || (h._key = TN.fold(h.code + " " + h.head_name + " " + h.address));
      for (var i = 0; i < words.length; i++) if (key.indexOf(words[i]) < 0) return false;
      return true;
    });
  };

  function countersHtml(v) {
    var c = counts(v);
    return '<p class="summary small" data-counters data-village-id="' + v.id + '">' + ["not_visited", "revisit", "warned", "excluded"].map(function (s) {
      return s === "excluded" && !c[s] ? "" : '<span class="chip st-' + s + '">' + esc(L[s]) + ' <b data-count="' + s + '">' + c[s] + "</b></span>";
    }).join(" ") + "</p>";
  }

  function villagePage(app, v) {
    var opts = ["not_visited", "revisit", "warned", "excluded"].map(function (s) { return '<option value="' + s + '">' + esc(L[s]) + "</option>"; });
    app.innerHTML = '<nav class="crumbs"><a href="/villages/">← ' + esc(L.my_villages) + "</a></nav><h1>" + esc(v.code) + " · " + esc(v.name) + "</h1>" +
      countersHtml(v) +
      '<form class="search" data-offline-search><input type="search" name="q" placeholder="' + esc(L.search) + '" aria-label="' + esc(L.search) +
      '" autocomplete="off"><select name="status" aria-label="' + esc(L.status) + '"><option value="">' + esc(L.all) + "</option>" + opts.join("") +
      '</select></form><p class="tools"><button type="button" class="btn" data-nearest hidden aria-pressed="false">' + esc(L.nearest) +
      '</button><a class="btn" href="/villages/' + v.id + '/map" data-map-link>' + esc(L.map) + '</a></p><div id="households"></div>';
    var add = fromTemplate("tpl-add-household");
    if (add) {
      add.querySelector("a").href += v.id;
      app.querySelector(".tools").appendChild(add.querySelector("a"));
    }
    var form = app.querySelector("form"), box = app.querySelector("#households");
    var shown = LIMIT;
    function draw() {
      var rows = TN.search(v.households, form.q.value, form.status.value);
      var target = location.hash.slice(3), at = rows.map(function (h) { return h.id; }).indexOf(target);
      if (at >= shown) shown = at + 1;  // the house the officer came back to is drawn
      box.innerHTML = '<p class="muted small" aria-live="polite">' + rows.length + " " + esc(L.households) + "</p>" +
        '<ul class="hh">' + (rows.slice(0, shown).map(function (h) { return rowHtml(h, L.may_record); }).join("") ||
        '<li class="empty">' + esc(L.no_match) + "</li>") + "</ul>" +
        (rows.length > shown ? '<button type="button" class="btn btn-block" data-more>' + esc(L.more || "…") + "</button>" : "");
      TN.markPending && TN.markPending();
      TN.nearestReady && TN.nearestReady();
    }
    box.addEventListener("click", function (e) {
      if (e.target.hasAttribute("data-more")) { shown += LIMIT; draw(); }
    });
    form.addEventListener("input", function () { shown = LIMIT; draw(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); draw(); });
    draw();
    var here = location.hash && document.getElementById(location.hash.slice(1));
    if (here) { here.classList.add("next"); here.scrollIntoView({ block: "center" }); }
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
  TN.vnTime = vnTime;
  function historyItem(x, pending, mine) {
    var gone = x.gone ? " replaced" : "";
    var tools = mine && !x.gone && pending === false && L.may_record ? ' <span class="fix-tools"><a class="btn" href="#fix-' + esc(x.id) + '" data-correct="' + esc(x.id) +
      '">' + esc(L.correct) + '</a> <button type="button" class="btn" data-withdraw="' + esc(x.id) + '">' + esc(L.withdraw) + "</button></span>" : "";
    return '<li class="o-' + esc(x.outcome) + (pending ? " pending" : "") + gone + '" data-visit-id="' + esc(x.id || "") + '"><b>' + esc(L["o_" + x.outcome] || x.outcome) +
      "</b> · " + esc(vnTime(x.at)) + (pending ? ' <span class="chip">' + esc(L.pending) + "</span>" : "") +
      (x.gone ? ' <span class="chip">' + esc(x.gone) + "</span>" : "") + "<br><small>" + esc(x.by.join(", ")) + "</small>" + tools + "</li>";
  }

  function householdPage(app, f) {
    var h = f.h;
    app.innerHTML = '<nav class="crumbs"><a href="/villages/' + esc(f.v.id) + "#h-" + esc(h.id) + '">← ' + esc(f.v.name) + "</a></nav>" +
      '<ul class="hh">' + rowHtml(h, L.may_record) + '</ul><div id="offline-form"></div><section class="card"><h2>' + esc(L.history) + "</h2>" +
      '<ol class="history" id="offline-history"></ol><p class="muted" id="offline-none" hidden>' + esc(L.no_visit) + "</p>" +
      '<p class="muted small">' + esc(L.offline_detail) + "</p></section>";
    TN.outbox.all().then(function (list) {  // this phone's unsent entries of the household
      var names = {}, gone = {};
      names[L.user] = L.user_name;
      (f.v.team || []).forEach(function (u) { names[u.username] = u.name; });
      var named = function (u) { return names[u] || u; };
      var mine = list.filter(function (e) {
        return e.state === "pending" && ((e.type === "visit" && e.data.household_id === h.id) || (e.type === "withdrawal" && e.data.household_id === h.id));
      });
      mine.forEach(function (e) {
        if (e.type === "withdrawal") gone[e.data.visit_id] = L.withdrawn;
        if (e.type === "visit" && e.data.supersedes) gone[e.data.supersedes] = L.corrected;
      });
      var may = function (x) { return x.user === L.user || L.corrects_any; };
      var items = mine.filter(function (e) { return e.type === "visit"; }).reverse().map(function (e) {
        return historyItem({ id: e.id, at: e.recorded_at, outcome: e.data.outcome, by: [e.user].concat(e.data.companions || []).map(named) }, true, false);
      }).concat((h.history || []).map(function (x) {
        return historyItem(Object.assign({}, x, { gone: gone[x.id] }), false, may(x));
      }));
      document.getElementById("offline-history").innerHTML = items.join("");
      document.getElementById("offline-none").hidden = !!items.length;
    });
    visitForm(app.querySelector("#offline-form"), f, null);
  }

  // The full visit form from its <template>, for a new visit or a correction of `fix`.
  function visitForm(box, f, fix) {
    var form = fromTemplate("tpl-visit"), team = f.v.team || [];
    if (!form || !(pack.campaign && pack.campaign.state === "running") && !fix) { box.innerHTML = ""; return; }
    var companions = form.querySelector("[data-companions]");
    if (companions) team.forEach(function (u) {  // the village's team from the pack, as on the online form
      companions.insertAdjacentHTML("beforeend", '<label class="check"><input type="checkbox" name="companions" value="' + esc(u.username) + '"> <span>' + esc(u.name) + "</span></label>");
    });
    if (companions) companions.hidden = !team.length;
    box.innerHTML = "";
    box.appendChild(form);
    var el = box.querySelector("form"), reason = box.querySelector("[data-reason]");
    if (reason) { reason.hidden = !fix; reason.querySelector("textarea").required = !!fix; }
    if (fix) {
      el.setAttribute("data-supersedes", fix.id);
      box.querySelector("h2").textContent = L.correct_title;
      var o = el.querySelector('[name=outcome][value="' + fix.outcome + '"]');
      if (o) { o.checked = true; o.dispatchEvent(new Event("change", { bubbles: true })); }
      box.scrollIntoView({ block: "start" });
    }
  }
  TN.visitForm = visitForm;

  function newHouseholdPage(app, v) {
    app.innerHTML = '<nav class="crumbs"><a href="/villages/' + esc(v.id) + '">← ' + esc(v.name) + "</a></nav>";
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
  TN.setLabels = function (labels) { L = labels; };
})();
