// The findings explorer: loads the JSON file named by #kb-explorer's data-src (relative to the
// page), fills the filters and shows the matching rows with a count. No server, no library.
// User text only ever goes in through textContent, never innerHTML.
(function () {
  "use strict";
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function uniq(values) {
    return Array.from(new Set(values)).sort();
  }
  var FACETS = {
    stream: function (r) { return [r.stream]; },
    kind: function (r) { return [r.kind]; },
    status: function (r) { return [r.status]; },
    model: function (r) { return r.models; },
    hypothesis: function (r) { return r.links.map(function (l) { return l.hypothesis; }); },
    bearing: function (r) { return r.links.map(function (l) { return l.bearing; }); },
    confound: function (r) { return r.confounds.map(function (c) { return c.type; }); },
    controlled: function (r) { return r.confounds.map(function (c) { return c.controlled; }); }
  };
  var NAMES = ["q"].concat(Object.keys(FACETS));
  function matches(r, form) {
    // every word, in the fields `kb search` searches: id, title, statement, quotes, rationale
    var words = form.elements.q.value.toLowerCase().split(/\W+/).filter(Boolean);
    var text = [r.id, r.title, r.statement, r.quotes, r.rationale].join(" ").toLowerCase();
    if (!words.every(function (w) { return text.indexOf(w) >= 0; })) return false;
    var hyp = form.elements.hypothesis.value, bearing = form.elements.bearing.value;
    var conf = form.elements.confound.value, ctl = form.elements.controlled.value;
    // hypothesis + bearing, and confound + control status, must hold on the same link / entry
    if (hyp || bearing) {
      if (!r.links.some(function (l) { return (!hyp || l.hypothesis === hyp) && (!bearing || l.bearing === bearing); })) return false;
    }
    if (conf || ctl) {
      if (!r.confounds.some(function (c) { return (!conf || c.type === conf) && (!ctl || c.controlled === ctl); })) return false;
    }
    return ["stream", "kind", "status", "model"].every(function (name) {
      var v = form.elements[name].value;
      return !v || FACETS[name](r).indexOf(v) >= 0;
    });
  }
  function row(r, base) {
    var tr = el("tr");
    var td = el("td");
    td.appendChild(el("a", r.title, { href: base + r.href }));
    tr.appendChild(td);
    tr.appendChild(el("td", r.kind));
    tr.appendChild(el("td", r.stream));
    tr.appendChild(el("td", r.status));
    tr.appendChild(el("td", r.links.map(function (l) { return l.hypothesis + " (" + l.bearing + ")"; }).join("; ")));
    tr.appendChild(el("td", r.confounds.map(function (c) { return c.type + ": " + c.controlled; }).join("; ")));
    return tr;
  }
  function start(root) {
    var form = root.querySelector("form");
    var body = root.querySelector("tbody");
    var count = root.querySelector("#kb-count");
    var base = root.getAttribute("data-base") || "";
    fetch(new URL(root.getAttribute("data-src"), document.baseURI).href)
      .then(function (res) { return res.json(); })
      .then(function (rows) {
        Object.keys(FACETS).forEach(function (name) {
          var select = form.elements[name];
          if (select.options.length > 1) return; // options written into the page (with titles)
          uniq([].concat.apply([], rows.map(FACETS[name]))).forEach(function (v) { select.appendChild(el("option", v, { value: v })); });
        });
        // the filters live in the URL's query: a reload, a bookmark or a shared link keeps them
        var asked = new URLSearchParams(location.search);
        NAMES.forEach(function (name) {
          var value = asked.get(name);
          if (value !== null) form.elements[name].value = value;
        });
        function update() {
          var shown = rows.filter(function (r) { return matches(r, form); });
          body.replaceChildren.apply(body, shown.map(function (r) { return row(r, base); }));
          count.textContent = String(shown.length);
          var query = new URLSearchParams();
          NAMES.forEach(function (name) { if (form.elements[name].value) query.set(name, form.elements[name].value); });
          var search = query.toString();
          history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
          root.setAttribute("data-ready", "true");
        }
        form.addEventListener("input", update);
        form.addEventListener("change", update);
        update();
      })
      .catch(function (err) {
        count.textContent = "0";
        root.appendChild(el("p", "Could not load the findings data (" + err + "). Browsers block it when the site is opened from disk; serve the folder (python3 -m http.server) or use the list of findings."));
      });
  }
  function init() {
    var root = document.getElementById("kb-explorer");
    if (root && !root.getAttribute("data-started")) {
      root.setAttribute("data-started", "true");
      start(root);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
