/* selfeval review report: filters, pagination, cross-highlighting.
 * The forms' HTML is stored gzip-compressed, 50 forms to a chunk (script.form-chunk); a small
 * index (#form-index) says each form's severities, codes and search text, so filtering needs
 * no form, and only the chunks of the current page's forms are decompressed and parsed into
 * the document.  The filter state
 * lives in the URL hash (#sev=warning&code=...&q=...&form=...&sort=doc&size=20&page=2), so a
 * view can be bookmarked or sent to a colleague.  The review loop is in review.js. */
(function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var box = byId("forms");
  var forms = JSON.parse(byId("form-index").textContent).map(function (e) {
    return { key: e[0], order: e[1], rank: e[2], weight: e[3], sevs: e[4], codes: e[5], search: e[6], n: e[7] };
  });
  var DEFAULTS = { sev: "", code: "", q: "", form: "", sort: "rank", size: 20, page: 1 };
  var state = {};
  var listed = [];  // the forms matching the filters, in their order

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

  var batch = JSON.parse(byId("batch").textContent);
  var chunks = {};  // chunk number -> promise of its forms' HTML strings
  function chunk(n) {
    if (!chunks[n]) {
      var text = atob(byId("c" + n).textContent);
      var bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      chunks[n] = new Response(stream).text().then(JSON.parse);
    }
    return chunks[n];
  }
  var parser = document.createElement("template");
  function formHtml(f) {
    return chunk(Math.floor(f.order / batch.chunk)).then(function (list) { return list[f.order % batch.chunk]; });
  }
  function formNode(item) {  // item: [HTML, the form's correctable values]
    parser.innerHTML = item[0];
    var node = parser.content.firstElementChild;
    node.setAttribute("data-values", JSON.stringify(item[1]));
    return node;
  }

  function sortList(list) {
    list.sort(state.sort === "doc"
      ? function (a, b) { return a.order - b.order; }
      : function (a, b) { return (a.rank - b.rank) || (a.weight - b.weight) || (a.order - b.order); });
    return list;
  }

  var rendering = 0;
  // Show the forms of the current page; resolves once they are in the document.
  function render() {
    listed = sortList(forms.filter(matches));
    var pages = Math.max(1, Math.ceil(listed.length / state.size));
    state.page = Math.min(Math.max(1, state.page), pages);
    var slice = listed.slice((state.page - 1) * state.size, state.page * state.size);
    var mine = ++rendering;
    document.documentElement.setAttribute("data-rendering", "1");
    return Promise.all(slice.map(formHtml)).then(function (htmls) {
      if (mine !== rendering) { return; }  // a later render took over
      show(slice, htmls, pages);
    });
  }

  function show(slice, htmls, pages) {
    var frag = document.createDocumentFragment();
    htmls.forEach(function (item) { frag.appendChild(formNode(item)); });
    box.textContent = "";
    box.appendChild(frag);
    mute(box);

    byId("p-info").textContent = "第 " + state.page + " / " + pages + " 页 · " + listed.length + " / " +
      forms.length + " 表 (page " + state.page + " of " + pages + ", " + listed.length + " of " + forms.length + " forms)";
    byId("p-prev").disabled = state.page <= 1;
    byId("p-next").disabled = state.page >= pages;
    byId("visible-flags").textContent = String(box.querySelectorAll(".flagged:not(.muted)").length);
    var single = byId("single-form");
    single.hidden = !state.form;
    single.textContent = state.form ? "只显示一张表 / showing one form: " + state.form + " — 清除筛选以查看全部" : "";
    document.documentElement.setAttribute("data-forms-shown", String(slice.length));
    document.documentElement.setAttribute("data-forms-matching", String(listed.length));
    document.documentElement.removeAttribute("data-rendering");
    syncControls();
    document.dispatchEvent(new CustomEvent("report:render"));
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
    writeHash();
    return render().then(function () {
      writeHash();
      if (scroll) { byId("forms-top").scrollIntoView(); }
    });
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
      section.querySelectorAll("[data-fids], [data-cfids]").forEach(function (el) {
        var ids = (el.getAttribute("data-fids") || el.getAttribute("data-cfids")).split(" ");
        if (ids.indexOf(fid) >= 0) { el.classList.add("focus"); }
      });
    });
  }

  // Scroll a scrolling box (the source pane) so that el sits in its middle, without moving the
  // page; sideways only as far as needed to show it whole (the row's label stays in view if it can).
  function centerIn(container, el) {
    if (!container || !el) { return; }
    var c = container.getBoundingClientRect(), r = el.getBoundingClientRect();
    container.scrollTop += (r.top - c.top) - (c.height - r.height) / 2;
    var margin = 24, sticky = container.querySelector("th") ? container.querySelector("th").offsetWidth : 0;
    if (r.right > c.right - margin) { container.scrollLeft += r.right - c.right + margin; }
    r = el.getBoundingClientRect();
    if (r.left < c.left + sticky + margin) { container.scrollLeft -= (c.left + sticky + margin) - r.left; }
  }

  // Show one finding: its value in the record, the source line and cell (or the page crop).
  function showFinding(section, fid) {
    focusFindings(section, [String(fid)]);
    var li = section.querySelector('li.finding[data-fid="' + fid + '"]');
    var has = function (attr, within) {
      return Array.prototype.find.call(section.querySelectorAll((within || "") + " [" + attr + "]"), function (el) {
        return el.getAttribute(attr).split(" ").indexOf(String(fid)) >= 0;
      });
    };
    var value = has("data-fids") && section.querySelector(".rec") && section.querySelector(".rec").contains(has("data-fids"))
      ? has("data-fids") : null;
    var line = li && li.getAttribute("data-line") ? byId(section.id + "-L" + li.getAttribute("data-line")) : null;
    var cell = has("data-cfids", "table.src");
    var pane = section.querySelector(".src-scroll");
    (value || li || section).scrollIntoView({ block: "center" });
    if (pane && (cell || line)) { centerIn(pane, cell || line); }
    if (li && li.getAttribute("data-bbox")) { cropTo(section, li); }
    [cell, line].forEach(function (el) {
      if (el) { el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash"); }
    });
  }

  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest(".pick[data-code], .pick[data-form], button.goto, .mk, [data-fids], [data-cfids], li.finding, .crop, .zoom") : null;
    if (!el) { return; }
    if (el.matches(".zoom")) { el.remove(); return; }
    if (el.matches(".pick[data-code]")) { update({ code: el.getAttribute("data-code"), sev: "", form: "", page: 1 }, true); return; }
    if (el.matches(".pick[data-form]")) { update({ form: el.getAttribute("data-form"), page: 1 }, true); return; }
    if (el.matches(".crop")) { zoom(el); return; }
    var section = el.closest("section.form");
    if (!section) { return; }
    if (el.matches("button.goto")) {
      var target = byId(el.getAttribute("data-target"));
      var pane = section.querySelector(".src-scroll");
      var li = el.closest("li.finding");
      if (li) { showFinding(section, li.getAttribute("data-fid")); }
      else if (target) { centerIn(pane, target); }
      return;
    }
    var fid = el.getAttribute("data-fid");
    var owner = fid ? el : el.closest("[data-fids], [data-cfids]");
    var fids = fid ? [fid] : (owner ? (owner.getAttribute("data-fids") || owner.getAttribute("data-cfids")).split(" ") : []);
    if (fids.length) { focusFindings(section, fids); }
  });

  // PDFs and scans: the part of the page around the finding's cell, at a readable scale,
  // the cell boxed; a click opens the whole page.
  var CROP_WIDTH = 0.5, CROP_ASPECT = 0.42;  // of the page's width; crop height / width
  function cropTo(section, li) {
    var slot = section.querySelector(".crop-slot");
    var page = byId(section.id + "-P" + li.getAttribute("data-page"));
    if (!slot || !page) { return; }
    var img = page.querySelector("img");
    var b = li.getAttribute("data-bbox").split(",").map(Number);
    var ratio = img.naturalHeight && img.naturalWidth ? img.naturalHeight / img.naturalWidth : 1.414;
    var w = Math.min(1, Math.max(CROP_WIDTH, (b[2] - b[0]) + 0.2));
    var h = Math.min(1, w * CROP_ASPECT / ratio);  // as a fraction of the page's height
    var x = Math.min(Math.max(0, (b[0] + b[2]) / 2 - w * 0.6), 1 - w);  // more of the row's left: its label
    var y = Math.min(Math.max(0, (b[1] + b[3]) / 2 - h / 2), 1 - h);
    var crop = document.createElement("figure");
    crop.className = "crop";
    crop.setAttribute("data-fid", li.getAttribute("data-fid"));
    crop.title = "点击放大整页 / click to zoom to the page";
    crop.style.aspectRatio = String(1 / CROP_ASPECT);
    var inner = page.querySelector(".page-img").cloneNode(true);
    inner.className = "crop-page";
    inner.style.width = (100 / w) + "%";
    inner.style.left = (-x / w * 100) + "%";
    inner.style.top = (-y / h * 100) + "%";
    inner.querySelectorAll(".cellbox").forEach(function (box) {
      if (box.getAttribute("data-cfids") !== li.getAttribute("data-fid")) { box.remove(); }
    });
    var cap = document.createElement("figcaption");
    cap.textContent = "第 " + li.getAttribute("data-page") + " 页 · 点击放大";
    crop.appendChild(inner);
    crop.appendChild(cap);
    slot.textContent = "";
    slot.appendChild(crop);
  }

  // A page crop opens the whole page image, at its own size, with the same box.
  function zoom(crop) {
    var z = document.createElement("div");
    z.className = "zoom";
    z.title = "点击关闭 / click to close";
    var inner = crop.querySelector(".crop-page").cloneNode(true);
    inner.removeAttribute("style");
    inner.className = "zoom-page";
    z.appendChild(inner);
    document.body.appendChild(z);
    var mark = inner.querySelector(".cellbox");
    if (mark) { mark.scrollIntoView({ block: "center", inline: "nearest" }); }
  }

  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") < 0) { return; }
    readHash(); render();
  });

  window.selfevalReport = {
    state: state, forms: forms, update: update, show: showFinding,
    listed: function () { return listed; },
    pageOf: function (key) {
      var i = listed.findIndex(function (f) { return f.key === key; });
      return i < 0 ? null : Math.floor(i / state.size) + 1;
    }
  };

  readHash();
  window.selfevalReport.ready = render().then(function () {
    document.documentElement.setAttribute("data-report-ready", "1");
    document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  });
})();
