/* selfeval review loop: walk the doubts with the keyboard, accept or correct each value,
 * keep the decisions in this browser (localStorage, one entry per batch), and download
 * them as corrections.csv for `selfeval extract ... --corrections corrections.csv`.
 *   j / n  next doubt        k / p  previous doubt
 *   a      accept the value  c / e  correct it (Enter saves, Esc cancels)
 *   u      undo the decision on this doubt
 * A doubt is a finding shown on the page (the severity and code filters choose which). */
(function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var report = window.selfevalReport;
  var batch = JSON.parse(byId("batch").textContent);
  var STORE = "selfeval-review:" + batch.id;
  var COLUMNS = ["doc_id", "form_index", "table", "key", "field", "old_value", "new_value", "note"];
  var decisions = load();
  var current = null;  // {key, fid}
  var bar = byId("review-bar");

  function load() {
    try {
      var data = JSON.parse(localStorage.getItem(STORE) || "{}");
      return data && typeof data.decisions === "object" && data.decisions ? data.decisions : {};
    } catch (e) { return {}; }
  }

  function save() {
    try { localStorage.setItem(STORE, JSON.stringify({ v: 1, decisions: decisions })); }
    catch (e) { byId("rv-status").textContent = "无法保存到浏览器 / cannot save in this browser: " + e; }
    counts();
  }

  function attr(el, name) { return el.getAttribute(name) || ""; }

  function about(li) {
    var section = li.closest("section.form");
    return {
      section: section, doc_id: attr(section, "data-doc"), form_index: attr(section, "data-index"),
      key: attr(section, "data-key"), fid: attr(li, "data-fid"), code: attr(li, "data-code"),
      line: attr(li, "data-line"), table: attr(li, "data-table"), rkey: attr(li, "data-key"),
      field: attr(li, "data-field"), message: li.querySelector(".msg") ? li.querySelector(".msg").textContent : ""
    };
  }

  function idOf(a) {
    return [a.doc_id, a.form_index, a.code, a.line, a.table, a.rkey, a.field, a.message].join("\u001f");
  }

  function values(a) {
    var all = JSON.parse(attr(a.section, "data-values") || "{}");
    return all[a.table + "|" + (a.table === "forms" ? "" : a.rkey)] || null;
  }

  function doubts() {
    return Array.prototype.filter.call(byId("forms").querySelectorAll("li.finding"), function (li) {
      return !li.classList.contains("muted");
    });
  }

  function find(cur) {
    if (!cur) { return null; }
    return byId("forms").querySelector('section.form[data-key="' + CSS.escape(cur.key) + '"] li.finding[data-fid="' + cur.fid + '"]');
  }

  function select(li) {
    document.querySelectorAll("li.finding.current").forEach(function (el) { el.classList.remove("current"); });
    closeEditor();
    if (!li) { current = null; describe(); return; }
    var a = about(li);
    current = { key: a.key, fid: a.fid };
    li.classList.add("current");
    report.show(a.section, a.fid);
    describe();
  }

  // Next (+1) or previous (-1) doubt, going on to the next or previous page of forms.
  var moving = Promise.resolve();
  function move(step) {
    moving = moving.then(function () { return go(step); });
    return moving;
  }

  function go(step) {
    var list = doubts(), li = find(current), at = li ? list.indexOf(li) : -1;
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : at + step;
    if (next >= 0 && next < list.length) { select(list[next]); return Promise.resolve(); }
    var pages = Math.max(1, Math.ceil(report.listed().length / report.state.size));
    function turn(page) {
      if (page < 1 || page > pages) {
        byId("rv-status").textContent = step > 0 ? "已是最后一个 / this was the last doubt" : "已是第一个 / this was the first doubt";
        return Promise.resolve();
      }
      return report.update({ page: page }).then(function () {
        var found = doubts();
        if (found.length) { select(step > 0 ? found[0] : found[found.length - 1]); return null; }
        return turn(page + step);
      });
    }
    return turn(report.state.page + step);
  }

  function decide(decision) {
    var li = find(current);
    if (!li) { return; }
    var a = about(li);
    decision.doc_id = a.doc_id; decision.form_index = a.form_index; decision.code = a.code;
    decision.at = new Date().toISOString();
    decisions[idOf(a)] = decision;
    save();
    mark();
  }

  function accept() {
    if (!find(current)) { move(1); return; }
    decide({ kind: "accept" });
    move(1);
  }

  function undo() {
    var li = find(current);
    if (!li) { return; }
    delete decisions[idOf(about(li))];
    save();
    mark();
    describe();
  }

  // -- the corrected value ---------------------------------------------------------------
  function openEditor() {
    var li = find(current);
    if (!li) { move(1); li = find(current); if (!li) { return; } }
    var a = about(li), vals = values(a);
    if (!a.table || !vals) {
      byId("rv-status").textContent = "这条发现不在某个数值上，只能接受 / not about one value: accept it, or fix the source";
      return;
    }
    var fields = Object.keys(vals);
    var select = byId("rv-field");
    select.textContent = "";
    fields.forEach(function (f) {
      var o = document.createElement("option");
      o.value = f; o.textContent = f + (vals[f] === "" ? " (空)" : " = " + vals[f]);
      select.appendChild(o);
    });
    var previous = decisions[idOf(a)];
    select.value = previous && previous.kind === "correct" ? previous.field : (fields.indexOf(a.field) >= 0 ? a.field : fields[0]);
    fill(vals, previous);
    bar.classList.add("editing");
    byId("rv-new").focus();
    byId("rv-new").select();
  }

  function fill(vals, previous) {
    var field = byId("rv-field").value;
    byId("rv-old").textContent = vals[field] === "" ? "（空 / empty）" : vals[field];
    var same = previous && previous.kind === "correct" && previous.field === field;
    byId("rv-new").value = same ? shownValue(previous.new_value) : shownValue(vals[field]);
    byId("rv-note").value = same ? previous.note : "";
  }

  function closeEditor() {  // the keys go back to the page, not to the editor's inputs
    bar.classList.remove("editing");
    if (bar.contains(document.activeElement)) { document.activeElement.blur(); }
  }

  function saveCorrection() {
    var li = find(current);
    if (!li) { return; }
    var a = about(li), vals = values(a), field = byId("rv-field").value;
    var text = byId("rv-new").value.trim();
    var kind = (batch.types[a.table] || {})[field] || "text";
    var written = csvValue(text, kind);
    if (written === null) {
      byId("rv-status").textContent = field + " 需要数字 / takes a number: " + text;
      return;
    }
    decide({ kind: "correct", table: a.table, key: a.table === "forms" ? "" : a.rkey, field: field,
             old_value: vals[field], new_value: written, note: byId("rv-note").value.trim() });
    closeEditor();
    move(1);
  }

  // The value as the tables' CSV writes it: floats as Python's repr, formula-like text guarded.
  function csvValue(text, kind) {
    if (text === "") { return ""; }
    if (kind === "float" || kind === "int") {
      var n = Number(text.replace(/,/g, ""));
      if (!isFinite(n) || /^\s*$/.test(text)) { return null; }
      if (kind === "int") { return Number.isInteger(n) ? String(n) : null; }
      return Number.isInteger(n) && Math.abs(n) < 1e16 ? n.toFixed(1) : String(n);
    }
    return csvSafe(text);
  }

  var NEGATIVE = /^-\.?\d[\d.,]*\s*(?:[%‰]|[^\x00-\x7f]+(?:\/[^\x00-\x7f]+)?)?\s*$/;
  function csvSafe(text) {
    var body = text.replace(/^[ \t\r]+/, "");
    if (body.length < 2) { return text; }
    if ("=+@".indexOf(body[0]) >= 0 || (body[0] === "-" && !NEGATIVE.test(body))) { return "'" + text; }
    return text;
  }

  function shownValue(written) {  // what the reviewer edits: the value without the CSV's guard
    return written && written[0] === "'" && csvSafe(written.slice(1)) === written ? written.slice(1) : (written || "");
  }

  // -- corrections.csv ---------------------------------------------------------------------
  function csvField(v) {
    v = v === undefined || v === null ? "" : String(v);
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  function correctionsCsv() {
    var rows = Object.keys(decisions).map(function (k) { return decisions[k]; })
      .filter(function (d) { return d.kind === "correct"; })
      .map(function (d) { return COLUMNS.map(function (c) { return d[c]; }); });
    rows.sort(function (a, b) {
      for (var i = 0; i < 6; i++) {
        var x = String(a[i]), y = String(b[i]);
        if (i === 1 || (i === 3 && /^\d+$/.test(x) && /^\d+$/.test(y))) { if (+x !== +y) { return +x - +y; } }
        else if (x !== y) { return x < y ? -1 : 1; }
      }
      return 0;
    });
    return "\ufeff" + [COLUMNS].concat(rows).map(function (r) { return r.map(csvField).join(","); }).join("\n") + "\n";
  }

  function download() {
    var blob = new Blob([correctionsCsv()], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "corrections.csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // -- what the page shows -------------------------------------------------------------------
  function mark() {
    byId("forms").querySelectorAll("li.finding").forEach(function (li) {
      var d = decisions[idOf(about(li))];
      li.classList.toggle("decided", !!d);
      var tag = li.querySelector(".decision");
      if (!d) { if (tag) { tag.remove(); } return; }
      if (!tag) { tag = document.createElement("span"); tag.className = "decision"; li.appendChild(tag); }
      tag.textContent = d.kind === "accept" ? "✓ 已接受 accepted"
        : "✎ " + d.field + " → " + (d.new_value === "" ? "（空）" : d.new_value) + (d.note ? "（" + d.note + "）" : "");
    });
  }

  function counts() {
    var total = report.forms.reduce(function (n, f) { return n + f.n; }, 0);
    var keys = Object.keys(decisions);
    var fixes = keys.filter(function (k) { return decisions[k].kind === "correct"; }).length;
    byId("rv-count").textContent = "已审 " + keys.length + " / " + total + " · 更正 " + fixes;
    document.documentElement.setAttribute("data-decisions", String(keys.length));
    document.documentElement.setAttribute("data-corrections", String(fixes));
  }

  function describe() {
    var li = find(current);
    byId("rv-status").textContent = "";
    if (!li) {
      byId("rv-what").textContent = "按 j 到下一个疑点 / press j for the next doubt";
      document.documentElement.removeAttribute("data-doubt");
      return;
    }
    var a = about(li), d = decisions[idOf(a)];
    byId("rv-what").textContent = "表 " + a.key + " · " + a.code + (a.field ? " · " + a.table + (a.rkey ? " " + a.rkey : "") + " " + a.field : "")
      + (d ? (d.kind === "accept" ? " · 已接受" : " · 已更正") : "");
    document.documentElement.setAttribute("data-doubt", a.key + "|" + a.fid);
  }

  document.addEventListener("report:render", function () {
    mark();
    var li = find(current);
    if (li) { li.classList.add("current"); } else { describe(); }
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var inEditor = bar.contains(e.target) && bar.classList.contains("editing");
    if (inEditor) {
      if (e.key === "Escape") { closeEditor(); e.preventDefault(); }
      else if (e.key === "Enter" && e.target.tagName !== "SELECT") { saveCorrection(); e.preventDefault(); }
      return;
    }
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) { return; }
    var action = { j: function () { move(1); }, n: function () { move(1); }, k: function () { move(-1); },
                   p: function () { move(-1); }, a: accept, c: openEditor, e: openEditor, u: undo }[e.key];
    if (action) { e.preventDefault(); action(); }
  });

  byId("rv-next").addEventListener("click", function () { move(1); });
  byId("rv-prev").addEventListener("click", function () { move(-1); });
  byId("rv-accept").addEventListener("click", accept);
  byId("rv-correct").addEventListener("click", openEditor);
  byId("rv-undo").addEventListener("click", undo);
  byId("rv-save").addEventListener("click", saveCorrection);
  byId("rv-cancel").addEventListener("click", closeEditor);
  byId("rv-download").addEventListener("click", download);
  byId("rv-field").addEventListener("change", function () {
    var li = find(current);
    if (li) { var a = about(li); fill(values(a), decisions[idOf(a)]); }
  });
  document.addEventListener("click", function (e) {  // a click on a finding makes it the current doubt
    var li = e.target.closest ? e.target.closest("#forms li.finding") : null;
    if (li && !e.target.closest("button")) { select(li); }
  });

  window.selfevalReview = { csv: correctionsCsv, decisions: function () { return decisions; },
                            idle: function () { return moving; } };
  counts();
  report.ready.then(function () { mark(); describe(); });
})();
