
(function () {
  "use strict";
  function clearOnlyWhatWasDrawn(renderer, captor) {
    // sigma 3.0.3 clears all its layers (three WebGL, three 2D) before every frame, and with
    // software compositing each cleared layer is composited again: on a loaded 2-core machine a
    // bare page with three WebGL canvases cleared each frame ran at under half the frame rate
    // of one (on an idle one both reach 60).  While the view
    // moves only the nodes layer is drawn (edges and labels are hidden), so clear the others
    // only when the frame before drew on them.
    var drew = true, B = WebGLRenderingContext;
    renderer.clear = function () {
      var gl = this.webGLContexts, c = this.canvasContexts, w = this.width, h = this.height;
      this.emit("beforeClear");
      gl.nodes.bindFramebuffer(B.FRAMEBUFFER, null);
      gl.nodes.clear(B.COLOR_BUFFER_BIT);
      if (drew) {
        gl.edges.bindFramebuffer(B.FRAMEBUFFER, null);
        gl.edges.clear(B.COLOR_BUFFER_BIT);
        gl.hoverNodes.clear(B.COLOR_BUFFER_BIT);
        [c.labels, c.hovers, c.edgeLabels].forEach(function (x) { x.clearRect(0, 0, w, h); });
      }
      this.emit("afterClear");
      return this;
    };
    // A hover draws on the hover layers between frames: the next frame clears them.
    renderer.on("enterNode", function () { drew = true; });
    renderer.on("leaveNode", function () { drew = true; });
    renderer.on("afterRender", function () {
      drew = !(renderer.getCamera().isAnimated() || captor.isMoving || captor.draggedEvents || captor.currentWheelDirection);
    });
  }
  // The WebGL page: the same panel and questions as the vis-network page, drawn by
  // sigma.js over a graphology graph; positions come precomputed from Python.
  var data = JSON.parse(document.getElementById("gk-data").textContent);
  var g = data.webgl, n = g.ids.length;
  // A multigraph only when the data has parallel edges: graphology attaches multi edges at
  // about twice the cost, and large networks rarely have them.
  var graph = new graphology.Graph({type: "directed", multi: g.multi, allowSelfLoops: true});
  var groupIds = Object.create(null), hidden = Object.create(null), index = Object.create(null);
  var hiddenCount = 0, cl = g.clusters, expanded = null;
  function member(i) {
    return {x: g.x[i], y: -g.y[i], size: g.size[i], label: g.labels[i], color: g.palette[g.color[i]],
      group: g.groupNames[g.group[i]], forceLabel: g.top[i] === 1, zIndex: g.top[i]};
  }
  function edge(colour) { return {color: g.palette[colour], size: 0.6}; }
  for (var i = 0; i < n; i++) {
    var group = g.groupNames[g.group[i]];
    index[g.ids[i]] = i;
    (groupIds[group] = groupIds[group] || []).push(g.ids[i]);
    if (!cl) { graph.addNode(g.ids[i], member(i)); }
  }
  if (!cl) {
    for (var e = 0; e < g.edges.length; e += 3) {
      graph.addEdge(g.ids[g.edges[e]], g.ids[g.edges[e + 1]], edge(g.edges[e + 2]));
    }
  }
  // ---- clusters (large networks): each drawn as one node with its count until opened; a
  // member's edges go to its cluster while that is closed.  Keys no node id can have.
  var CLUSTER = "\u0001cluster ";
  while (g.ids.some(function (id) { return id.lastIndexOf(CLUSTER, 0) === 0; })) { CLUSTER += "\u0001"; }
  function clusterKey(c) { return CLUSTER + c; }
  function shown(i) { return expanded[cl.of[i]] ? g.ids[i] : clusterKey(cl.of[i]); }
  var clusterGroups = [];
  if (cl) {
    expanded = new Uint8Array(cl.count.length);
    for (var c = 0; c < cl.count.length; c++) {
      clusterGroups.push(Object.create(null));
      graph.addNode(clusterKey(c), {x: cl.x[c], y: -cl.y[c], size: Math.min(2 + Math.sqrt(cl.count[c]), 14),
        label: cl.label[c], color: g.palette[cl.color[c]], cluster: c});
    }
    for (var m = 0; m < n; m++) { clusterGroups[cl.of[m]][g.groupNames[g.group[m]]] = true; }
    for (var ce = 0; ce < cl.edges.length; ce += 3) {
      graph.addEdge(clusterKey(cl.edges[ce]), clusterKey(cl.edges[ce + 1]), edge(cl.edges[ce + 2]));
    }
  }
  function expand(list) {
    // Open clusters: their members and every edge of theirs, to a member or a closed cluster.
    var fresh = list.filter(function (c) { return !expanded[c]; });
    if (!fresh.length) { return; }
    fresh.forEach(function (c) { expanded[c] = 2; graph.dropNode(clusterKey(c)); });
    for (var i = 0; i < n; i++) { if (expanded[cl.of[i]] === 2) { graph.addNode(g.ids[i], member(i)); } }
    for (var e = 0; e < g.edges.length; e += 3) {
      var s = g.edges[e], t = g.edges[e + 1];
      if (expanded[cl.of[s]] === 2 || expanded[cl.of[t]] === 2) {
        var a = shown(s), b = shown(t);
        if (a !== b && !graph.hasEdge(a, b)) { graph.addEdge(a, b, edge(g.edges[e + 2])); }
      }
    }
    fresh.forEach(function (c) { expanded[c] = 1; });
  }
  var lit = null, litCount = 0, litClusters = null;
  var DIM = "#e8ebef";
  var container = document.getElementById("gk-network");
  // Large networks: edges and labels are left out while the view moves (drawn again once it
  // stops), so a frame draws only the nodes.
  var large = g.edges.length > 30000;  // over 10,000 edges
  var OPEN_BELOW_RATIO = 0.25, OPEN_BUDGET = 10000;  // zoomed in 4 times; members drawn at most
  function isLit(node, attrs) { return attrs.cluster === undefined ? lit[node] : litClusters[attrs.cluster]; }
  function isHidden(attrs) {
    if (attrs.cluster === undefined) { return hidden[attrs.group]; }
    for (var grp in clusterGroups[attrs.cluster]) { if (!hidden[grp]) { return false; } }
    return true;
  }
  function nodeReducer(node, attrs) {
    if (hiddenCount && isHidden(attrs)) { return Object.assign({}, attrs, {hidden: true}); }
    if (lit && !isLit(node, attrs)) { return Object.assign({}, attrs, {color: DIM, label: null, zIndex: 0, forceLabel: false}); }
    if (lit) { return Object.assign({}, attrs, {zIndex: 2, forceLabel: litCount <= 60}); }
    return attrs;
  }
  function edgeReducer(edge, attrs) {
    var ends = graph.extremities(edge), a = graph.getNodeAttributes(ends[0]), b = graph.getNodeAttributes(ends[1]);
    if (hiddenCount && (isHidden(a) || isHidden(b))) { return Object.assign({}, attrs, {hidden: true}); }
    if (lit && !(isLit(ends[0], a) && isLit(ends[1], b))) { return Object.assign({}, attrs, {color: DIM}); }
    return attrs;
  }
  var renderer = new Sigma(graph, container, {
    renderEdgeLabels: false,
    hideEdgesOnMove: large,
    hideLabelsOnMove: large,
    labelRenderedSizeThreshold: 7,
    labelDensity: 0.6,
    labelFont: data.font,
    zIndex: true,
    defaultEdgeType: "line"
  });
  // The reducers run over every node and edge on each refresh: set only while a filter or a
  // highlight is on, so the first drawing and an unfiltered page skip them.
  function useReducers() {
    var on = !!(lit || hiddenCount);
    if (on !== !!renderer.getSetting("nodeReducer")) {
      renderer.setSetting("nodeReducer", on ? nodeReducer : null);
      renderer.setSetting("edgeReducer", on ? edgeReducer : null);
    }
  }
  var captor = renderer.getMouseCaptor(), pick = renderer.getNodeAtPosition.bind(renderer);
  // sigma looks for the node under the mouse on every move by reading a pixel back from
  // WebGL, which waits for the frame in flight: not while the mouse is down (dragging the view).
  renderer.getNodeAtPosition = function (position) { return captor.isMouseDown ? null : pick(position); };
  if (large) { clearOnlyWhatWasDrawn(renderer, captor); }
  if (cl) {
    // Framed on every member, so opening clusters does not move the view.
    var box = {x: [Infinity, -Infinity], y: [Infinity, -Infinity]};
    for (var b = 0; b < n; b++) {
      box.x[0] = Math.min(box.x[0], g.x[b]); box.x[1] = Math.max(box.x[1], g.x[b]);
      box.y[0] = Math.min(box.y[0], -g.y[b]); box.y[1] = Math.max(box.y[1], -g.y[b]);
    }
    renderer.setCustomBBox(box);
    renderer.refresh();
    // Zoomed in far enough, the clusters in view open (up to a budget of drawn members).
    var camera = renderer.getCamera(), pending = null;
    camera.on("updated", function () {
      if (pending !== null) { clearTimeout(pending); }
      pending = setTimeout(function () {
        pending = null;
        if (camera.ratio > OPEN_BELOW_RATIO) { return; }
        var size = renderer.getDimensions(), open = [], budget = OPEN_BUDGET - drawnMembers();
        for (var c = 0; c < cl.count.length && budget > 0; c++) {
          if (expanded[c]) { continue; }
          var v = renderer.graphToViewport({x: cl.x[c], y: -cl.y[c]});
          if (v.x >= 0 && v.y >= 0 && v.x <= size.width && v.y <= size.height) { open.push(c); budget -= cl.count[c]; }
        }
        expand(open);
      }, 200);
    });
  }
  function drawnMembers() { var k = 0; for (var c = 0; c < cl.count.length; c++) { if (expanded[c]) { k += cl.count[c]; } } return k; }
  var gk = window.graphkit = {renderer: renderer, graph: graph, ready: false, layout: data.layout, kind: "webgl"};
  // sigma draws synchronously in its constructor: the page is drawn now.
  gk.readyAt = performance.now();
  gk.ready = true;
  gk.drawn = true;
  document.documentElement.setAttribute("data-gk-ready", "true");

  var stats = document.getElementById("gk-stats");
  function updateStats() {
    var hiddenNodes = 0;
    Object.keys(hidden).forEach(function (k) { if (hidden[k]) { hiddenNodes += groupIds[k].length; } });
    var text = n + " nodes \u00b7 " + (g.edges.length / 3) + " edges";
    if (hiddenNodes) { text += " \u00b7 " + hiddenNodes + " hidden by filter"; }
    if (cl) { text += " \u00b7 drawn as " + cl.count.length + " clusters (click one or zoom in to open it)"; }
    stats.textContent = text + " \u00b7 " + data.layoutText;
  }
  var toggles = Array.prototype.slice.call(document.querySelectorAll("input.gk-group-toggle"));
  function setGroupVisible(group, visible) {
    if (!groupIds[group]) { return; }
    if (!!hidden[group] === !visible) { return; }
    hidden[group] = !visible;
    hiddenCount += visible ? -1 : 1;
    toggles.forEach(function (t) { if (t.getAttribute("data-group") === group) { t.checked = visible; } });
    useReducers();
    renderer.refresh();
    updateStats();
  }
  toggles.forEach(function (t) {
    t.addEventListener("change", function () { setGroupVisible(t.getAttribute("data-group"), t.checked); });
  });

  var details = document.getElementById("gk-details");
  function showDetails(id) {
    if (id === undefined || index[id] === undefined) { details.hidden = true; return; }
    var i = index[id];
    document.getElementById("gk-details-label").textContent = g.labels[i];
    document.getElementById("gk-details-group").textContent = g.groupNames[g.group[i]];
    document.getElementById("gk-details-tip").textContent = g.tips ? g.tips[i] : "";
    details.hidden = false;
  }

  var q = data.questions, answer = document.getElementById("gk-answer");
  function light(ids) {
    lit = null;
    if (ids) {
      lit = Object.create(null);
      litClusters = Object.create(null);
      ids.forEach(function (id) { lit[id] = true; if (cl && index[id] !== undefined) { litClusters[cl.of[index[id]]] = true; } });
      litCount = ids.length;
    }
    useReducers();
    renderer.refresh({skipIndexation: true});
  }
  var questions = gkQuestions(q, light, answer), ask = questions.ask, filterChanged = questions.filterChanged;
  renderer.on("clickNode", function (ev) {
    var c = graph.getNodeAttribute(ev.node, "cluster");
    if (c !== undefined) { expand([c]); return; }
    showDetails(ev.node);
    ask(ev.node);
  });
  renderer.on("clickStage", function () { showDetails(); ask(); filterChanged(); });

  var input = document.getElementById("gk-search");
  var status = document.getElementById("gk-search-status");
  function focusOn(ids) {
    var xs = ids.map(function (id) { return renderer.getNodeDisplayData(id); }).filter(Boolean);
    if (!xs.length) { return; }
    var x = 0, y = 0;
    xs.forEach(function (d) { x += d.x; y += d.y; });
    renderer.getCamera().animate({x: x / xs.length, y: y / xs.length, ratio: xs.length === 1 ? 0.08 : 0.3}, {duration: 300});
  }
  function find(query) {
    var text = String(query).trim().toLocaleLowerCase();
    if (!text) { status.textContent = ""; showDetails(); ask(); return []; }
    var exact = [], partial = [];
    for (var i = 0; i < n; i++) {
      var label = g.labels[i].toLocaleLowerCase();
      if (label === text || g.ids[i].toLocaleLowerCase() === text) { exact.push(g.ids[i]); }
      else if (partial.length < 500 && label.indexOf(text) !== -1) { partial.push(g.ids[i]); }
    }
    var hits = exact.length ? exact : partial;
    if (!hits.length) {
      status.textContent = "No node matches \u201c" + String(query).trim() + "\u201d.";
      return hits;
    }
    if (cl) {
      expand(hits.slice(0, 50).map(function (id) { return cl.of[index[id]]; }));
      renderer.refresh();
    }
    hits.forEach(function (id) { var grp = g.groupNames[g.group[index[id]]]; if (hidden[grp]) { setGroupVisible(grp, true); } });
    showDetails(hits[0]);
    light(hits.length === 1 && (q.closure[hits[0]] || q.impact[hits[0]]) ? null : hits);
    if (hits.length === 1) { ask(hits[0]); }
    focusOn(hits);
    status.textContent = hits.length === 1 ? "1 node found." : hits.length + " nodes found; the first is shown.";
    return hits;
  }
  document.getElementById("gk-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    find(input.value);
  });
  gk.find = find;
  gk.setGroupVisible = setGroupVisible;
  gk.ask = function (id) { showDetails(id); ask(id); };
  gk.lit = function () { return lit ? Object.keys(lit).sort() : null; };
  // The network's nodes and edges (while clusters are closed, more than the graph drawn holds).
  gk.counts = function () { return cl ? {nodes: n, edges: g.edges.length / 3} : {nodes: graph.order, edges: graph.size}; };
  gk.expand = function (ids) { expand(ids.map(function (id) { return cl.of[index[id]]; })); renderer.refresh(); };
  gk.clusterKey = clusterKey;
  updateStats();
})();
