/* Từng Nhà: where the officer stands with sync, always in words ("3 lượt chưa gửi",
   "Đang gửi…", "Đã gửi hết lúc 14:05", no connection), and the entries the server returned,
   named field by field in Vietnamese, to edit and send again under the same id (the server
   tries it again and keeps it once on the commander's list) or to discard. */
(function () {
  "use strict";
  var TN = window.TN, L = null, sending = false, failed = false, reached = false, online = navigator.onLine !== false;
  var $ = function (s, el) { return (el || document).querySelector(s); };
  var esc = function (s) { return TN.esc(s); };
  // Fields an officer can put right on the phone (the rest need the household page or a new visit).
  var EDITABLE = { head_name: "text", code: "text", address: "text", phone: "tel", members: "number", youth: "number",
    people_reached: "number", youth_reached: "number", note: "text" };
  var NUMBERS = { members: 1, youth: 1, people_reached: 1, youth_reached: 1 };

  function labels() { return L || (L = JSON.parse(document.getElementById("tn-labels").textContent)); }
  function hhmm(ms) {
    var d = new Date(ms + 7 * 3600e3), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getUTCHours()) + ":" + p(d.getUTCMinutes());
  }

  // The status line: the counter (data-outbox-count, a page marker) says it in words.
  TN.drawStatus = function (all) {
    labels();
    var pending = all.filter(function (e) { return e.state === "pending"; }).length;
    var attention = all.filter(function (e) { return e.state !== "pending"; });
    var el = $("[data-outbox-count]");
    if (el) {
      el.setAttribute("data-outbox-count", pending);
      TN.outbox.meta("sent_at").then(function (at) {
        var parts = online ? [] : [L.offline];
        if (sending && pending && online) parts.push(L.sending);  // offline, a try is not a send
        else if (pending) parts.push(L.unsent.replace("%(n)s", pending) + (failed && online ? " · " + L.not_sent : ""));
        else if (online) parts.push(at ? L.sent_at.replace("%(time)s", hhmm(at)) : L.nothing_sent);
        el.textContent = parts.join(" · ");
        el.title = online ? "" : L.offline_hint;
        el.className = "outbox" + (pending ? " waiting" : "") + (!online ? " offline" : "") + (sending ? " sending" : "");
      });
    }
    document.querySelectorAll("[data-offline-banner]").forEach(function (b) { b.hidden = (reached || TN.reached) && online; });
    drawAttention(attention);
    drawLogin();
  };

  function reasons(errors) {
    return Object.keys(errors || {}).map(function (k) {
      return "<li><b>" + esc(L.fields[k] || k) + "</b>: " + esc(errors[k]) + "</li>";
    }).join("");
  }
  function editor(e) {
    var fields = Object.keys(e.errors || {}).filter(function (k) { return EDITABLE[k]; });
    if (!fields.length) return "";
    return '<form class="stack att-edit" data-edit-entry="' + esc(e.id) + '" hidden>' + fields.map(function (k) {
      var v = e.data[k] == null ? "" : e.data[k];
      return '<div class="field"><label for="fix-' + esc(e.id) + "-" + k + '">' + esc(L.fields[k] || k) + '</label><input id="fix-' + esc(e.id) + "-" + k +
        '" name="' + k + '" type="' + EDITABLE[k] + '" value="' + esc(v) + '"' + (NUMBERS[k] ? ' inputmode="numeric" min="0"' : "") + "></div>";
    }).join("") + '<button class="btn btn-primary">' + esc(L.save_resend) + "</button></form>";
  }
  function drawAttention(list) {
    var box = $("#tn-attention");
    if (!list.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("section");
      box.id = "tn-attention"; box.className = "card attention";
      $("main").insertBefore(box, $("main").firstChild);
    }
    if (box.contains(document.activeElement) && document.activeElement.closest("form")) return;  // mid-edit
    box.innerHTML = "<h2>" + esc(L.attention) + " (" + list.length + ")</h2>" + list.map(function (e) {
      var f = e.type === "visit" ? TN.findHousehold(e.data.household_id) : null;
      var what = e.type === "visit" ? (f ? f.h.head_name : e.data.household_id) + " — " + (L["o_" + e.data.outcome] || e.data.outcome)
        : e.type === "household" ? L.new_household + ": " + e.data.head_name : L.withdraw;
      var edit = editor(e);
      return '<div class="att" data-entry="' + esc(e.id) + '"><p><b>' + esc(what) + '</b> <span class="chip">' + esc(L[e.state] || e.state) +
        '</span></p><ul class="small">' + reasons(e.errors) + "</ul>" + edit + '<p class="att-actions">' +
        (edit ? '<button type="button" class="btn" data-edit>' + esc(L.edit) + "</button> " : "") +
        (e.type === "visit" && f ? '<a class="btn" href="/households/' + esc(e.data.household_id) + '">' + esc(L.fix) + "</a> " : "") +
        // A failure of the server is not the entry's fault: it resolves itself (sync.js), no resend.
        (TN.outbox.refusedForContent(e) ? '<button type="button" class="btn" data-resend>' + esc(L.resend) + "</button> " : "") +
        '<button type="button" class="btn" data-discard>' + esc(L.discard) + "</button></p></div>";
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

  // Send the entry again under its id, as it is or as edited: the server tries it anew.
  function resend(id, changes) {
    return TN.outbox.get(id).then(function (entry) {
      if (!entry) return;
      var data = Object.assign({}, entry.data, changes || {});
      return TN.outbox.requeue(id, data);
    }).then(function () { return TN.withLocal(); }).then(TN.refreshUi).then(function () { return TN.syncNow(); });
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-resend],[data-discard],[data-edit]");
    if (!b || !b.closest("[data-entry]")) return;
    var card = b.closest("[data-entry]"), id = card.getAttribute("data-entry");
    if (b.hasAttribute("data-edit")) {
      var form = card.querySelector("[data-edit-entry]");
      form.hidden = false;
      form.querySelector("input").focus();
      return;
    }
    if (b.hasAttribute("data-resend")) return resend(id);
    if (confirm(labels().discard_confirm)) TN.outbox.remove([id]).then(TN.withLocal).then(TN.refreshUi);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("[data-edit-entry]")) return;
    e.preventDefault();
    var changes = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) return;
      var v = input.value.trim();
      changes[input.name] = NUMBERS[input.name] ? (v === "" ? null : Number(v)) : (input.name === "phone" && !v ? null : v);
    });
    form.blur();
    document.activeElement && document.activeElement.blur();
    resend(form.getAttribute("data-edit-entry"), changes);
  }, true);

  TN.onSyncStart = function () { sending = true; TN.refreshUi && TN.refreshUi(); };
  var ended = TN.onSyncEnd;
  TN.onSyncEnd = function (sent) {
    sending = false;
    failed = sent === null && !TN.syncState.needLogin;
    if (sent !== null) {
      // The server answered, but a try begun before the browser went offline can end after
      // its "offline" event: the browser's word stands, or the phone would say it is connected.
      online = navigator.onLine !== false;
      reached = reached || sent.length > 0;
      TN.outbox.pending().then(function (left) {
        if (sent.length && !left.length) return TN.outbox.setMeta("sent_at", Date.now());
      }).then(function () { ended && ended(sent); });
    } else if (ended) ended(sent);
  };
  window.addEventListener("online", function () { online = true; failed = false; TN.refreshUi && TN.refreshUi(); });
  window.addEventListener("offline", function () { online = false; TN.refreshUi && TN.refreshUi(); });
})();
