/* selfeval review report: filters, pagination and cross-highlighting.
 * Each form is an inert <template>; only the current page's forms are put in the document,
 * so thousands of forms open without freezing.  The filter state lives in the URL hash
 * (#sev=warning&code=...&q=...&form=...&sort=doc&size=20&page=2), so a view can be bookmarked
 * or sent to a colleague. */
(function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var box = byId("forms");
  var forms = Array.prototype.map.call(document.querySelectorAll("template.form-tpl"), function (t) {
    return {
      tpl: t, key: t.getAttribute("data-key"), order: +t.getAttribute("data-order"),
      rank: +t.getAttribute("data-rank"), weight: +t.getAttribute("data-weight"), search: t.getAttribute("data-search") || "",
      sevs: (t.getAttribute("data-sevs") || "").split(" ").filter(Boolean),
      codes: (t.getAttribute("data-codes") || "").split(" ").filter(Boolean)
    };
  });
  var DEFAULTS = { sev: "", code: "", q: "", form: "", sort: "rank", size: 20, page: 1 };
  var state = {};

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    Object.keys(DEFAULTS).forEach(function (k) {
      var v = params.get(k);
      state[k] = v === null ? DEFAULTS[k] : (typeof DEFAULTS[k] === "number" ? (parseInt(v, 10) || DEFAULTS[k]) : v);
    });
    if (state.size < 1) { state.size = DEFAULTS.size; }
    // a plain anchor (#summary, #charts) is a section link, not a filter
    if (location.hash && location.hash.indexOf("=") < 0) { Object.assign(state, DEFAULTS); }
  }

  function writeHash() {
    var params = new URLSearchParams();
    Object.keys(DEFAULTS).forEach(function (k) { if (state[k] !== DEFAULTS[k]) { params.set(k, state[k]); } });
    var hash = params.toString();
    try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }

  function matches(f) {
    if (state.form && f.key !== state.form) { return false; }
    if (state.sev === "clean") { if (f.sevs.length) { return false; } }
    else if (state.sev && f.sevs.indexOf(state.sev) < 0) { return false; }
    if (state.code && f.codes.indexOf(state.code) < 0) { return false; }
    if (state.q && f.search.indexOf(state.q.toLowerCase()) < 0) { return false; }
    return true;
  }

  function findingShown(li) {
    var sevOk = !state.sev || state.sev === "clean" || li.getAttribute("data-sev") === state.sev;
    return sevOk && (!state.code || li.getAttribute("data-code") === state.code);
  }

  // Under a severity or code filter, findings (and the values they flag) that do not match are muted.
  function mute(root) {
    if (!state.sev && !state.code) { return; }
    root.querySelectorAll("section.form").forEach(function (sec) {
      var keep = {};
      sec.querySelectorAll("li.finding").forEach(function (li) {
        if (findingShown(li)) { keep[li.getAttribute("data-fid")] = true; } else { li.classList.add("muted"); }
      });
      sec.querySelectorAll("[data-fids]").forEach(function (el) {
        var any = el.getAttribute("data-fids").split(" ").some(function (id) { return keep[id]; });
        if (!any) { el.classList.add("muted"); }
      });
    });
  }

  function isVisible(el) { return el.getClientRects().length > 0; }

  function render() {
    var list = forms.filter(matches);
    list.sort(state.sort === "doc"
      ? function (a, b) { return a.order - b.order; }
      : function (a, b) { return (a.rank - b.rank) || (a.weight - b.weight) || (a.order - b.order); });
    var pages = Math.max(1, Math.ceil(list.length / state.size));
    state.page = Math.min(Math.max(1, state.page), pages);
    var slice = list.slice((state.page - 1) * state.size, state.page * state.size);
    var frag = document.createDocumentFragment();
    slice.forEach(function (f) { frag.appendChild(document.importNode(f.tpl.content, true)); });
    box.textContent = "";
    box.appendChild(frag);
    mute(box);

    byId("p-info").textContent = "第 " + state.page + " / " + pages + " 页 · " + list.length + " / " +
      forms.length + " 表 (page " + state.page + " of " + pages + ", " + list.length + " of " + forms.length + " forms)";
    byId("p-prev").disabled = state.page <= 1;
    byId("p-next").disabled = state.page >= pages;
    var flagged = Array.prototype.filter.call(box.querySelectorAll(".flagged:not(.muted)"), isVisible);
    byId("visible-flags").textContent = String(flagged.length);
    var single = byId("single-form");
    single.hidden = !state.form;
    single.textContent = state.form ? "只显示一张表 / showing one form: " + state.form + " — 清除筛选以查看全部" : "";
    document.documentElement.setAttribute("data-forms-shown", String(slice.length));
    document.documentElement.setAttribute("data-forms-matching", String(list.length));
    syncControls();
  }

  function syncControls() {
    byId("f-sev").value = state.sev;
    byId("f-code").value = state.code;
    if (document.activeElement !== byId("f-q")) { byId("f-q").value = state.q; }
    byId("f-sort").value = state.sort;
    byId("f-size").value = String(state.size);
  }

  function update(changes, scroll) {
    Object.assign(state, changes);
    render();
    writeHash();
    if (scroll) { byId("forms-top").scrollIntoView(); }
  }

  byId("f-sev").addEventListener("change", function (e) { update({ sev: e.target.value, page: 1 }); });
  byId("f-code").addEventListener("change", function (e) { update({ code: e.target.value, page: 1 }); });
  byId("f-sort").addEventListener("change", function (e) { update({ sort: e.target.value, page: 1 }); });
  byId("f-size").addEventListener("change", function (e) { update({ size: parseInt(e.target.value, 10), page: 1 }); });
  var typing = null;
  byId("f-q").addEventListener("input", function (e) {
    clearTimeout(typing);
    typing = setTimeout(function () { update({ q: e.target.value.trim(), form: "", page: 1 }); }, 200);
  });
  byId("f-reset").addEventListener("click", function () { update(Object.assign({}, DEFAULTS)); });
  byId("p-prev").addEventListener("click", function () { update({ page: state.page - 1 }, true); });
  byId("p-next").addEventListener("click", function () { update({ page: state.page + 1 }, true); });

  function focusFindings(section, fids) {
    document.querySelectorAll(".focus").forEach(function (el) { el.classList.remove("focus"); });
    fids.forEach(function (fid) {
      section.querySelectorAll('li.finding[data-fid="' + fid + '"]').forEach(function (el) { el.classList.add("focus"); });
      section.querySelectorAll("[data-fids]").forEach(function (el) {
        if (el.getAttribute("data-fids").split(" ").indexOf(fid) >= 0) { el.classList.add("focus"); }
      });
    });
  }

  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-code].pick, [data-form].pick, button.goto, .mk, [data-fids], li.finding") : null;
    if (!el) { return; }
    if (el.matches("tr.pick[data-code]")) { update({ code: el.getAttribute("data-code"), sev: "", form: "", page: 1 }, true); return; }
    if (el.matches("tr.pick[data-form]")) { update({ form: el.getAttribute("data-form"), page: 1 }, true); return; }
    var section = el.closest("section.form");
    if (!section) { return; }
    if (el.matches("button.goto")) {
      var line = byId(el.getAttribute("data-target"));
      if (line) {
        line.scrollIntoView({ block: "center" });
        line.classList.remove("flash"); void line.offsetWidth; line.classList.add("flash");
      }
    }
    var fid = el.getAttribute("data-fid");
    var owner = fid ? el : el.closest("[data-fids]");
    var fids = fid ? [fid] : (owner ? owner.getAttribute("data-fids").split(" ") : []);
    if (fids.length) { focusFindings(section, fids); }
  });

  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") < 0) { return; }
    readHash(); render();
  });

  readHash();
  render();
  document.documentElement.setAttribute("data-report-ready", "1");
})();
