/* lumbar explorer: the script behind index.html (the rule graph), disputes.html and articles.html.
 *
 * Plain browser JavaScript, no libraries, nothing fetched: every page carries its data as JSON in
 * the script element #kb-data (type application/json). Knowledge-base text only ever reaches the
 * page through textContent / createTextNode (the helper `h` below); this file never parses markup.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("kb-data").textContent);

  /* ---------------------------------------------------------------- helpers */

  // h("a", {class: "x", href: "#y"}, "text", child, [more]) -> element. Strings become text nodes.
  function h(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (/^on/i.test(name)) throw new Error("no event-handler attributes: " + name);
        if (name === "class") node.className = value;
        else if (name === "data") {
          Object.keys(value).forEach(function (k) {
            node.dataset[k] = String(value[k]);
          });
        } else if (name === "style") {
          Object.keys(value).forEach(function (k) {
            node.style.setProperty(k, String(value[k]));
          });
        } else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    append(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }

  function append(node, kids) {
    kids.forEach(function (kid) {
      if (kid === null || kid === undefined || kid === false) return;
      if (Array.isArray(kid)) append(node, kid);
      else if (typeof kid === "string" || typeof kid === "number")
        node.appendChild(document.createTextNode(String(kid)));
      else node.appendChild(kid);
    });
    return node;
  }

  // An identifier that may wrap after its underscores (a <wbr> adds no text).
  function breakable(id) {
    var out = [];
    String(id)
      .split("_")
      .forEach(function (part, i, parts) {
        out.push(i < parts.length - 1 ? part + "_" : part);
        if (i < parts.length - 1) out.push(document.createElement("wbr"));
      });
    return out;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  var rulesById = new Map();
  DATA.rules.forEach(function (r) {
    rulesById.set(r.id, r);
  });
  var articlesByKey = new Map();
  DATA.articles.forEach(function (a) {
    articlesByKey.set(a.key, a);
  });
  var disputesById = new Map();
  DATA.disputes.forEach(function (d) {
    disputesById.set(d.id, d);
  });

  function articleTitle(key) {
    var a = articlesByKey.get(key);
    return a ? a.title : key;
  }

  function sourceRef(r) {
    return r.source + ":" + r.line;
  }

  // The position a rule takes in a dispute ("" if it is named in none of the sides).
  function positionOf(dispute, ruleId) {
    for (var i = 0; i < dispute.sides.length; i++) {
      if (dispute.sides[i].rules.indexOf(ruleId) >= 0) return dispute.sides[i].position;
    }
    return "";
  }

  // The id of an article's line on articles.html (and so its fragment): KEY-LINE.
  function paragraphId(key, line) {
    return key + "-" + line;
  }

  // The element the address's #ID names. The page builds its sections after the browser
  // looked for it, so the pages that build sections look again.
  function hashTarget() {
    try {
      return location.hash ? byId(decodeURIComponent(location.hash.slice(1))) : null;
    } catch (err) {
      return null;
    }
  }

  function fillHeader() {
    byId("site-title").textContent = DATA.title;
    byId("disclaimer").textContent = DATA.disclaimer;
    var page = document.body.dataset.page;
    if (page === "disputes") document.title = DATA.title + " — disputes";
    else if (page === "articles") document.title = DATA.title + " — the articles";
    else document.title = DATA.title;
  }

  /* ------------------------------------------------------------ index page */

  // Pastel fills for the rule ellipses, one per article (in the order the KB lists them).
  var ARTICLE_COLOURS = [
    "#cfe2f6",
    "#fbdcbc",
    "#d3edcc",
    "#f5d0e2",
    "#e1d9f4",
    "#fff0a8",
    "#cdeeee",
    "#eadccb",
  ];

  function initIndex() {
    var graph = byId("graph");
    var svg = graph.querySelector("svg");
    var searchBox = byId("search");
    var articleSelect = byId("article-filter");
    var kindSelect = byId("kind-filter");
    var list = byId("rule-list");
    var countEl = byId("rule-count");
    var detailEmpty = byId("detail-empty");
    var detailBody = byId("detail-body");
    var detailPane = byId("detail");

    byId("rule-total").textContent = String(DATA.rules.length);
    byId("disputes-link").textContent = "Disputes (" + DATA.disputes.length + ")";

    /* --- the graph: nodes by Graphviz name, edges by their "a->b" titles --- */
    var nodeByName = new Map(); // "n12" -> <g>
    var nodeEdges = new Map(); // <g> -> [edge]
    var nodes = []; // {g, type, key}
    var nodeInfo = new Map(); // <g> -> {type, key}
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var title = g.querySelector(":scope > title");
      if (title) nodeByName.set(title.textContent.trim(), g);
      var dash = g.id.indexOf("-");
      var info = { g: g, type: g.id.slice(0, dash), key: g.id.slice(dash + 1) };
      nodes.push(info);
      nodeInfo.set(g, info);
      nodeEdges.set(g, []);
    });
    var edges = [];
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
      var title = g.querySelector(":scope > title");
      if (!title) return;
      var ends = title.textContent.split("->");
      if (ends.length !== 2) return;
      var from = nodeByName.get(ends[0].trim());
      var to = nodeByName.get(ends[1].trim());
      if (!from || !to) return;
      var edge = { g: g, from: from, to: to };
      edges.push(edge);
      nodeEdges.get(from).push(edge);
      nodeEdges.get(to).push(edge);
    });

    function ruleNode(id) {
      var g = byId("rule-" + id);
      return g && g.classList.contains("rule") ? g : null;
    }

    /* --- colours: articles (ours), conclusion kinds (Graphviz's) --- */
    var articleColour = new Map();
    DATA.articles.forEach(function (a, i) {
      articleColour.set(a.key, ARTICLE_COLOURS[i % ARTICLE_COLOURS.length]);
    });
    DATA.rules.forEach(function (r) {
      var g = ruleNode(r.id);
      var shape = g && g.querySelector("ellipse");
      if (shape && articleColour.has(r.article)) shape.style.fill = articleColour.get(r.article);
    });
    var kindColour = new Map();
    var kindInk = new Map();
    Array.prototype.forEach.call(svg.querySelectorAll("g.conclusion"), function (g) {
      var kind = nodeInfo.get(g) && DATA.conclusions[nodeInfo.get(g).key];
      kind = kind && kind.kind;
      if (!kind || kindColour.has(kind)) return;
      var shape = g.querySelector("polygon, ellipse, path");
      var text = g.querySelector("text");
      if (shape && shape.getAttribute("fill")) kindColour.set(kind, shape.getAttribute("fill"));
      if (text && text.getAttribute("fill")) kindInk.set(kind, text.getAttribute("fill"));
    });

    function kindBadge(kind) {
      var style = {};
      if (kindColour.has(kind)) style["--kind-colour"] = kindColour.get(kind);
      if (kindInk.has(kind)) style["--kind-ink"] = kindInk.get(kind);
      return h("span", { class: "kind-badge", style: style }, kind.replace(/_/g, " "));
    }

    /* --- the sidebar --- */
    DATA.articles.forEach(function (a) {
      articleSelect.appendChild(h("option", { value: a.key }, a.key + " — " + a.title));
    });
    DATA.kinds.forEach(function (k) {
      kindSelect.appendChild(h("option", { value: k }, k.replace(/_/g, " ")));
    });

    var listItems = new Map();
    DATA.rules.forEach(function (r) {
      var meta = [r.article + ":" + r.line];
      if (r.disputes.length) meta.push(" · ", h("span", { class: "flag" }, "disputed"));
      var li = h(
        "li",
        { data: { rule: r.id } },
        h(
          "a",
          {
            class: "node-link rule-link",
            href: "#rule-" + encodeURIComponent(r.id),
            title: r.quote,
            data: { type: "rule", key: r.id, rule: r.id },
            style: { "--swatch": articleColour.get(r.article) || "transparent" },
          },
          h("span", { class: "rule-id" }, breakable(r.id)),
          h("span", { class: "rule-meta" }, meta)
        )
      );
      listItems.set(r.id, li);
      list.appendChild(li);
    });
    var emptyNote = h("li", { class: "empty-list", hidden: true }, "No rule matches.");
    list.appendChild(emptyNote);

    var legend = byId("legend-body");
    append(legend, [
      h("h3", null, "Rules, by article"),
      h(
        "ul",
        null,
        DATA.articles.map(function (a) {
          return h(
            "li",
            { title: a.title },
            h("span", { class: "swatch round", style: { background: articleColour.get(a.key) } }),
            a.key
          );
        })
      ),
      h("h3", null, "Conclusions, by kind"),
      h(
        "ul",
        null,
        DATA.kinds.map(function (k) {
          return h(
            "li",
            null,
            h("span", { class: "swatch", style: { background: kindColour.get(k) || "#eee" } }),
            k.replace(/_/g, " ")
          );
        })
      ),
      h("h3", null, "Other"),
      h(
        "ul",
        null,
        h("li", null, h("span", { class: "swatch", style: { background: "#fff" } }), "finding"),
        h(
          "li",
          null,
          h("span", {
            class: "swatch round",
            style: { background: "#fff", "border-color": "#762a83", "border-width": "2px" },
          }),
          "disputed rule"
        )
      ),
    ]);

    /* --- filters: article, kind and search combine --- */
    var visible = new Set(); // ids of the rules that pass the filters

    function matchesSearch(r, q) {
      if (r.id.toLowerCase().indexOf(q) >= 0) return true;
      if (r.quote.toLowerCase().indexOf(q) >= 0) return true;
      return r.findings.some(function (f) {
        return f.toLowerCase().indexOf(q) >= 0;
      });
    }

    function applyFilters() {
      var article = articleSelect.value;
      var kind = kindSelect.value;
      var q = searchBox.value.trim().toLowerCase();
      var filtering = Boolean(article || kind || q);
      visible = new Set();
      DATA.rules.forEach(function (r) {
        if (article && r.article !== article) return;
        if (kind && r.kinds.indexOf(kind) < 0) return;
        if (q && !matchesSearch(r, q)) return;
        visible.add(r.id);
      });
      listItems.forEach(function (li, id) {
        li.hidden = !visible.has(id);
      });
      emptyNote.hidden = visible.size > 0;
      countEl.textContent = String(visible.size);

      var hiddenNode = new Set();
      nodes.forEach(function (n) {
        if (n.type !== "rule") return;
        var show = visible.has(n.key);
        n.g.style.display = show ? "" : "none";
        if (!show) hiddenNode.add(n.g);
      });
      edges.forEach(function (e) {
        var show = !hiddenNode.has(e.from) && !hiddenNode.has(e.to);
        e.g.style.display = show ? "" : "none";
        e.shown = show;
      });
      nodes.forEach(function (n) {
        if (n.type === "rule") return;
        var own = nodeEdges.get(n.g);
        var dim =
          filtering &&
          own.length > 0 &&
          !own.some(function (e) {
            return e.shown;
          });
        n.g.classList.toggle("dim", dim);
      });
      if (current) renderDetail(current); // refresh the "hidden by the filters" badge
    }

    searchBox.addEventListener("input", applyFilters);
    articleSelect.addEventListener("change", applyFilters);
    kindSelect.addEventListener("change", applyFilters);
    searchBox.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        searchBox.value = "";
        applyFilters();
      }
    });
    byId("reset-filters").addEventListener("click", function () {
      searchBox.value = "";
      articleSelect.value = "";
      kindSelect.value = "";
      applyFilters();
    });
    document.addEventListener("keydown", function (e) {
      var tag = e.target && e.target.tagName;
      if (e.key === "/" && tag !== "INPUT" && tag !== "SELECT" && tag !== "TEXTAREA") {
        e.preventDefault();
        searchBox.focus();
        searchBox.select();
      }
    });

    /* --- zoom and pan --- */
    var PX_PER_PT = 96 / 72; // Graphviz sizes are in points; "100%" is its natural size
    var vb = svg.viewBox && svg.viewBox.baseVal;
    var natW = vb && vb.width ? vb.width : svg.getBBox().width;
    var natH = vb && vb.height ? vb.height : svg.getBBox().height;
    var zoom = 1;
    svg.removeAttribute("width");
    svg.removeAttribute("height");

    function fitWidthZoom() {
      return Math.max(0.02, (graph.clientWidth - 2) / (natW * PX_PER_PT));
    }

    function setZoom(z, anchor) {
      var minZ = Math.min(fitWidthZoom(), 0.1);
      z = Math.max(minZ, Math.min(3, z));
      var rect = graph.getBoundingClientRect();
      var ax = anchor ? anchor.x - rect.left : graph.clientWidth / 2;
      var ay = anchor ? anchor.y - rect.top : graph.clientHeight / 2;
      var oldW = natW * PX_PER_PT * zoom;
      var oldH = natH * PX_PER_PT * zoom;
      var fx = (graph.scrollLeft + ax) / oldW;
      var fy = (graph.scrollTop + ay) / oldH;
      zoom = z;
      svg.style.width = natW * PX_PER_PT * z + "px";
      svg.style.height = natH * PX_PER_PT * z + "px";
      graph.scrollLeft = fx * natW * PX_PER_PT * z - ax;
      graph.scrollTop = fy * natH * PX_PER_PT * z - ay;
      byId("zoom-level").textContent = Math.round(z * 100) + "%";
    }

    byId("zoom-fit").addEventListener("click", function () {
      setZoom(fitWidthZoom());
      graph.scrollLeft = 0;
    });
    byId("zoom-100").addEventListener("click", function () {
      setZoom(1);
      if (current) centreOn(current.g);
    });
    byId("zoom-in").addEventListener("click", function () {
      setZoom(zoom * 1.25);
    });
    byId("zoom-out").addEventListener("click", function () {
      setZoom(zoom / 1.25);
    });
    graph.addEventListener(
      "wheel",
      function (e) {
        if (!e.ctrlKey && !e.metaKey) return;
        e.preventDefault();
        setZoom(zoom * Math.exp(-e.deltaY * 0.0015), { x: e.clientX, y: e.clientY });
      },
      { passive: false }
    );

    // Drag to pan. A drag that moved is not a click.
    var drag = null;
    var swallowClick = false;
    graph.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || e.pointerType === "touch") return;
      var rect = graph.getBoundingClientRect();
      if (e.clientX - rect.left >= graph.clientWidth || e.clientY - rect.top >= graph.clientHeight)
        return; // on a scroll bar
      drag = {
        x: e.clientX,
        y: e.clientY,
        left: graph.scrollLeft,
        top: graph.scrollTop,
        moved: false,
      };
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x;
      var dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 5) {
        drag.moved = true;
        graph.classList.add("dragging");
      }
      if (drag.moved) {
        graph.scrollLeft = drag.left - dx;
        graph.scrollTop = drag.top - dy;
      }
    });
    window.addEventListener("pointerup", function () {
      if (drag && drag.moved) {
        swallowClick = true;
        setTimeout(function () {
          swallowClick = false;
        }, 0);
      }
      drag = null;
      graph.classList.remove("dragging");
    });

    function centreOn(g) {
      if (!g || g.style.display === "none") return;
      var box = g.getBoundingClientRect();
      if (!box.width && !box.height) return;
      var pane = graph.getBoundingClientRect();
      graph.scrollLeft += box.left + box.width / 2 - (pane.left + graph.clientWidth / 2);
      graph.scrollTop += box.top + box.height / 2 - (pane.top + graph.clientHeight / 2);
    }

    /* --- selection --- */
    var current = null; // {type, key, g}

    function unmark() {
      Array.prototype.forEach.call(
        svg.querySelectorAll(".selected, .neighbour, .lit"),
        function (el) {
          el.classList.remove("selected", "neighbour", "lit");
        }
      );
      Array.prototype.forEach.call(list.querySelectorAll("li.selected"), function (li) {
        li.classList.remove("selected");
      });
    }

    function select(type, key, scroll) {
      unmark();
      var g = byId(type + "-" + key);
      if (g && !g.classList.contains(type)) g = null;
      current = { type: type, key: key, g: g };
      if (g) {
        g.classList.add("selected");
        nodeEdges.get(g).forEach(function (e) {
          e.g.classList.add("lit");
          (e.from === g ? e.to : e.from).classList.add("neighbour");
        });
      }
      var li = type === "rule" && listItems.get(key);
      if (li) {
        li.classList.add("selected");
        var lr = li.getBoundingClientRect();
        var pr = list.getBoundingClientRect();
        if (!li.hidden && (lr.top < pr.top || lr.bottom > pr.bottom))
          li.scrollIntoView({ block: "center" });
      }
      renderDetail(current);
      detailPane.scrollTop = 0;
      if (scroll && g) centreOn(g);
    }

    // Select and record it in the address (#rule-ID), without the browser's own jump to the id.
    function go(type, key, scroll) {
      select(type, key, scroll);
      var hash = "#" + type + "-" + encodeURIComponent(key);
      if (location.hash !== hash) {
        try {
          history.pushState(null, "", hash);
        } catch (err) {
          location.hash = hash;
        }
      }
    }

    function fromHash(scroll) {
      var raw = location.hash.replace(/^#/, "");
      var m;
      try {
        m = /^(rule|finding|conclusion)-(.+)$/.exec(decodeURIComponent(raw));
      } catch (err) {
        m = null;
      }
      if (!m) return false;
      if (current && current.type === m[1] && current.key === m[2]) return true;
      select(m[1], m[2], scroll);
      return true;
    }

    window.addEventListener("hashchange", function () {
      fromHash(true);
    });
    window.addEventListener("popstate", function () {
      fromHash(true);
    });

    svg.addEventListener("click", function (e) {
      if (swallowClick) return;
      var g = e.target.closest && e.target.closest("g.node");
      var info = g && nodeInfo.get(g);
      if (!info) return;
      e.preventDefault();
      go(info.type, info.key, false);
    });

    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a.node-link");
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      go(a.dataset.type, a.dataset.key, true);
    });

    /* --- the detail panel --- */
    function nodeLink(type, key, text) {
      var data = { type: type, key: key };
      if (type === "rule") data.rule = key;
      return h(
        "a",
        {
          class: "node-link" + (type === "rule" ? " rule-link" : ""),
          href: "#" + type + "-" + encodeURIComponent(key),
          data: data,
        },
        text || key
      );
    }

    function ruleLinks(id, ruleIds, none) {
      if (!ruleIds.length) return h("p", { id: id, class: "none" }, none);
      return h(
        "ul",
        { id: id, class: "link-list" },
        ruleIds.map(function (rid) {
          return h("li", null, nodeLink("rule", rid));
        })
      );
    }

    function section(title, body) {
      return h("section", null, h("h3", null, title), body);
    }

    function renderDetail(sel) {
      clear(detailBody);
      detailEmpty.hidden = true;
      detailBody.hidden = false;
      var body;
      if (sel.type === "rule" && rulesById.has(sel.key)) body = ruleDetail(rulesById.get(sel.key));
      else if (sel.type === "conclusion" && sel.key in DATA.conclusions)
        body = conclusionDetail(sel.key);
      else if (sel.type === "finding" && sel.g) body = findingDetail(sel.key);
      else
        body = [
          h("p", { class: "detail-kindline" }, "Not found"),
          h("h2", { class: "detail-id" }, sel.key),
          h("p", { class: "none" }, "There is no " + sel.type + " by that name in the rule graph."),
        ];
      append(detailBody, body);
    }

    function ruleDetail(r) {
      var badges = [
        h(
          "span",
          { class: "badge", title: articleTitle(r.article) },
          h("span", {
            class: "swatch round",
            style: { background: articleColour.get(r.article) || "#fff" },
          }),
          r.article
        ),
      ];
      r.kinds.forEach(function (k) {
        badges.push(kindBadge(k));
      });
      if (r.disputes.length) badges.push(h("span", { class: "badge disputed" }, "disputed"));
      if (!visible.has(r.id))
        badges.push(h("span", { class: "badge hidden-note" }, "hidden by the current filters"));

      var out = [
        h("p", { class: "detail-kindline" }, "Rule"),
        h("h2", { class: "detail-id", id: "detail-id" }, breakable(r.id)),
        h("div", { class: "badges" }, badges),
        h("blockquote", { class: "detail-quote", id: "detail-quote" }, r.quote),
        h(
          "p",
          { class: "detail-cite", id: "detail-who" },
          "— ",
          h("span", { class: "who" }, r.who || "author not named"),
          ", in ",
          h("span", { class: "article-title" }, articleTitle(r.article))
        ),
        h("p", { class: "detail-cite mono", id: "detail-source" }, sourceRef(r)),
        h(
          "p",
          { class: "detail-cite" },
          h(
            "a",
            {
              id: "detail-article-link",
              href: "articles.html#" + encodeURIComponent(paragraphId(r.article, r.line)),
            },
            "Read it in the article, sentence by sentence →"
          )
        ),
      ];
      (r.also || []).forEach(function (a) {
        out.push(
          h("p", { class: "detail-kindline" }, "Also cited"),
          h("blockquote", { class: "detail-quote also-quote" }, a.quote),
          h(
            "p",
            { class: "detail-cite" },
            "— ",
            h("span", { class: "who" }, a.who || "author not named"),
            ", in ",
            h(
              "a",
              { href: "articles.html#" + encodeURIComponent(paragraphId(a.article, a.line)) },
              articleTitle(a.article)
            ),
            " (" + a.source + ":" + a.line + ")"
          )
        );
      });
      if (r.context.length) {
        out.push(
          section(
            "In context",
            h(
              "ol",
              { class: "context", id: "detail-context" },
              r.context.map(function (c) {
                return h(
                  "li",
                  { class: c.quote ? "quoted" : null },
                  h("span", { class: "lineno" }, String(c.line)),
                  h("span", { class: "text" }, c.text)
                );
              })
            )
          )
        );
      }
      out.push(section("If", h("pre", { class: "condition", id: "detail-when" }, r.when)));
      out.push(
        section(
          "Then",
          h(
            "ul",
            { class: "then-list", id: "detail-then" },
            r.then.map(function (cid) {
              var c = DATA.conclusions[cid] || { kind: "", label: cid, description: "" };
              return h(
                "li",
                null,
                c.kind ? kindBadge(c.kind) : null,
                h("span", { class: "label" }, c.label),
                h("span", { class: "conclusion-id mono" }, nodeLink("conclusion", cid)),
                c.description ? h("span", { class: "description" }, c.description) : null
              );
            })
          )
        )
      );
      out.push(
        section("Fed by", ruleLinks("detail-fed-by", r.feeds_from, "No rule: it reads findings only."))
      );
      out.push(section("Feeds", ruleLinks("detail-feeds", r.feeds, "No rule reads its conclusions.")));
      if (r.corroborates.length)
        out.push(section("Corroborates", ruleLinks("detail-corroborates", r.corroborates, "")));
      if (r.disputes.length) {
        out.push(
          section(
            "Disputes",
            h(
              "ul",
              { class: "dispute-refs", id: "detail-disputes" },
              r.disputes.map(function (did) {
                var d = disputesById.get(did);
                var pos = d ? positionOf(d, r.id) : "";
                return h(
                  "li",
                  null,
                  h(
                    "a",
                    { href: "disputes.html#" + encodeURIComponent(did), data: { dispute: did } },
                    d ? d.topic : did
                  ),
                  d ? " (" + d.kind + ")" : null,
                  pos ? h("span", { class: "position" }, "This rule's side: " + pos) : null
                );
              })
            )
          )
        );
      }
      if (r.note) out.push(section("Note", h("p", { class: "note", id: "detail-note" }, r.note)));
      out.push(h("p", { class: "location mono" }, r.location));
      return out;
    }

    function graphNeighbours(g, direction, type) {
      var out = [];
      (nodeEdges.get(g) || []).forEach(function (e) {
        var other = direction === "out" ? (e.from === g ? e.to : null) : e.to === g ? e.from : null;
        var info = other && nodeInfo.get(other);
        if (info && info.type === type && out.indexOf(info.key) < 0) out.push(info.key);
      });
      return out;
    }

    function conclusionDetail(cid) {
      var c = DATA.conclusions[cid];
      var by = DATA.rules
        .filter(function (r) {
          return r.then.indexOf(cid) >= 0;
        })
        .map(function (r) {
          return r.id;
        });
      var g = byId("conclusion-" + cid);
      var readers = g ? graphNeighbours(g, "out", "rule") : [];
      return [
        h("p", { class: "detail-kindline" }, "Conclusion"),
        h("h2", { class: "detail-id", id: "detail-id" }, cid),
        h("div", { class: "badges" }, kindBadge(c.kind)),
        h("p", null, h("strong", null, c.label)),
        h("p", { class: "note" }, c.description),
        section("Concluded by", ruleLinks("detail-concluded-by", by, "No rule concludes it.")),
        section("Read by", ruleLinks("detail-read-by", readers, "No rule tests it.")),
      ];
    }

    function findingDetail(name) {
      var tested = DATA.rules
        .filter(function (r) {
          return r.findings.indexOf(name) >= 0;
        })
        .map(function (r) {
          return r.id;
        });
      return [
        h("p", { class: "detail-kindline" }, "Finding"),
        h("h2", { class: "detail-id", id: "detail-id" }, name),
        h("p", { class: "note" }, "Something the user is asked about (or answers in a case file)."),
        section("Tested by", ruleLinks("detail-tested-by", tested, "No rule tests it.")),
      ];
    }

    /* --- start --- */
    applyFilters();
    setZoom(0.7);
    if (!fromHash(true)) {
      // Start where the graph starts: its first rule, top left.
      graph.scrollLeft = 0;
      graph.scrollTop = 0;
    }
    // The browser may jump to the #rule-ID element itself once the page has loaded; centre again.
    window.addEventListener("load", function () {
      if (current && current.g) centreOn(current.g);
    });
    document.documentElement.dataset.ready = "true";
  }

  /* --------------------------------------------------------- disputes page */

  function initDisputes() {
    var toc = byId("dispute-toc");
    var holder = byId("dispute-list");
    DATA.disputes.forEach(function (d) {
      toc.appendChild(
        h(
          "li",
          null,
          h("a", { href: "#" + encodeURIComponent(d.id) }, d.topic),
          " ",
          h("span", { class: "dispute-kind " + d.kind }, d.kind)
        )
      );
      var sides = d.sides.map(function (s, i) {
        return h(
          "div",
          { class: "side" },
          h(
            "h3",
            null,
            h("span", { class: "side-no" }, "Side " + (i + 1)),
            s.position
          ),
          h(
            "ul",
            { class: "side-rules" },
            s.rules.map(function (rid) {
              var r = rulesById.get(rid);
              if (!r) return h("li", { data: { rule: rid } }, "Unknown rule " + rid);
              return h(
                "li",
                { data: { rule: rid } },
                h("blockquote", { class: "quote" }, r.quote),
                h(
                  "div",
                  { class: "cite" },
                  "— ",
                  h("span", { class: "who" }, r.who || "author not named"),
                  ", ",
                  h("span", { class: "article-title" }, articleTitle(r.article)),
                  " (" + r.article + ", " + sourceRef(r) + ")"
                ),
                h(
                  "a",
                  {
                    class: "goto rule-link",
                    href: "index.html#rule-" + encodeURIComponent(rid),
                    data: { rule: rid },
                  },
                  "rule " + rid + " →"
                )
              );
            })
          )
        );
      });
      holder.appendChild(
        h(
          "section",
          { class: "dispute", id: d.id, data: { kind: d.kind } },
          h(
            "div",
            { class: "meta" },
            h("span", { class: "dispute-kind " + d.kind }, d.kind),
            h("span", { class: "mono" }, d.id)
          ),
          h("h2", null, d.topic),
          h("p", { class: "summary" }, d.summary),
          d.editors_note
            ? h(
                "p",
                { class: "editors-note" },
                h("strong", null, "Editors' note (not from the articles):"),
                " ",
                d.editors_note
              )
            : null,
          h("div", { class: "sides" }, sides)
        )
      );
    });
    var target = hashTarget();
    if (target) target.scrollIntoView();
    document.documentElement.dataset.ready = "true";
  }

  /* --------------------------------------------------------- articles page */

  // What became of a sentence, in words: cited, one of the ledger's reasons, or unaccounted.
  var STATUS_LABELS = {
    cited: "cited by a rule",
    unaccounted: "unaccounted for (no rule cites it and the ledger does not list it)",
  };

  function statusLabel(status) {
    return STATUS_LABELS[status] || status.replace(/_/g, " ");
  }

  function ruleRefs(ids) {
    var out = [];
    ids.forEach(function (rid, i) {
      if (i) out.push(", ");
      out.push(
        h(
          "a",
          {
            class: "rule-link",
            href: "index.html#rule-" + encodeURIComponent(rid),
            data: { rule: rid },
          },
          breakable(rid)
        )
      );
    });
    return out;
  }

  function sentenceItem(s) {
    var what;
    if (s.status === "cited") what = ["cited by ", ruleRefs(s.rules)];
    else {
      what = [h("span", { class: "reason" }, statusLabel(s.status))];
      // "carried by rule X"; "duplicate of cited sentence, cited by X"
      if (s.by) what.push(s.status === "carried_by_rule" ? " " : ", cited by ", ruleRefs([s.by]));
    }
    return h(
      "li",
      { class: "sentence status-" + s.status, data: { status: s.status } },
      h("span", { class: "text" }, s.text),
      h("span", { class: "what" }, what)
    );
  }

  function figuresLine(f) {
    var parts = [f.cited + " of " + f.sentences + " sentences cited"];
    Object.keys(f.uncited).forEach(function (reason) {
      if (f.uncited[reason]) parts.push(f.uncited[reason] + " " + statusLabel(reason));
    });
    if (f.unaccounted) parts.push(f.unaccounted + " unaccounted for");
    return parts.join(" · ");
  }

  function initArticles() {
    byId("ledger-file").textContent = DATA.ledger.file + (DATA.ledger.found ? "" : ", missing");
    var toc = byId("article-toc");
    var holder = byId("article-list");
    var filter = byId("status-filter");
    var legend = byId("reason-list");
    var statuses = ["cited"].concat(Object.keys(DATA.reasons), ["unaccounted"]);
    statuses.forEach(function (st) {
      filter.appendChild(h("option", { value: st }, "Only: " + statusLabel(st)));
      legend.appendChild(h("dt", { class: "sentence status-" + st }, statusLabel(st)));
      var meaning = DATA.reasons[st] || STATUS_LABELS[st];
      if (st === "cited") meaning = "A rule quotes it; follow the link to the rule.";
      legend.appendChild(h("dd", null, meaning));
    });
    DATA.articles.forEach(function (a) {
      toc.appendChild(
        h(
          "li",
          null,
          h("a", { href: "#" + encodeURIComponent(a.key) }, a.title),
          " ",
          h("span", { class: "figures" }, a.figures.cited + "/" + a.figures.sentences + " cited")
        )
      );
      holder.appendChild(
        h(
          "section",
          { class: "article", id: a.key },
          h(
            "div",
            { class: "meta" },
            h("span", { class: "mono" }, a.key),
            h("span", { class: "mono" }, a.source)
          ),
          h("h2", null, a.title),
          a.author ? h("p", { class: "author" }, a.author) : null,
          h("p", { class: "figures" }, figuresLine(a.figures)),
          a.paragraphs.map(function (p) {
            return h(
              "div",
              { class: "para", id: paragraphId(a.key, p.line) },
              h("span", { class: "lineno", title: a.source + ":" + p.line }, String(p.line)),
              h("ol", { class: "sentences" }, p.sentences.map(sentenceItem))
            );
          })
        )
      );
    });

    // Only the sentences of one status (and the lines that have one).
    filter.addEventListener("change", function () {
      var wanted = filter.value;
      Array.prototype.forEach.call(holder.querySelectorAll(".para"), function (para) {
        var shown = 0;
        Array.prototype.forEach.call(para.querySelectorAll("li.sentence"), function (li) {
          li.hidden = Boolean(wanted) && li.dataset.status !== wanted;
          if (!li.hidden) shown++;
        });
        para.hidden = shown === 0;
      });
    });

    var target = hashTarget();
    if (target) {
      target.classList.add("targeted");
      target.scrollIntoView();
    }
    document.documentElement.dataset.ready = "true";
  }

  fillHeader();
  var PAGE = document.body.dataset.page;
  if (PAGE === "disputes") initDisputes();
  else if (PAGE === "articles") initArticles();
  else initIndex();
})();
