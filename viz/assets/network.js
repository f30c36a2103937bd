
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gk-data").textContent);
  var byId = Object.create(null), groupIds = Object.create(null), hidden = Object.create(null);
  function tipElement(text) {
    var el = document.createElement("div");
    el.className = "gk-tip";
    el.textContent = text;
    return el;
  }
  data.nodes.forEach(function (n) {
    byId[n.id] = n;
    (groupIds[n.group] = groupIds[n.group] || []).push(n.id);
  });
  var nodeItems = data.nodes.map(function (n) {
    var item = Object.assign({}, n);
    if (n.tip) { item.title = tipElement(n.tip); }
    return item;
  });
  var edgeItems = data.edges.map(function (e) {
    var item = Object.assign({}, e);
    if (e.tip) { item.title = tipElement(e.tip); }
    return item;
  });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("gk-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var gk = window.graphkit = {
    network: network, nodes: nodes, edges: edges, ready: false,
    physics: data.physicsInitially, layout: data.layout
  };
  function markReady() {
    if (gk.ready) { return; }
    gk.readyAt = performance.now();
    gk.ready = true;
    document.documentElement.setAttribute("data-gk-ready", "true");
  }
  if (data.physicsInitially && data.nodes.length > 0) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      gk.physics = false;
      separateLabels();
      network.fit();
      markReady();
    });
  } else {
    // Positions are given: draw now rather than on the next animation frame, which
    // never comes to a frame out of view (the report's networks).
    network.once("afterDrawing", markReady);
    fitAll();
    network.redraw();
    if (data.nodes.length === 0) { markReady(); }
  }
  network.once("afterDrawing", function () { gk.drawn = true; });

  function measureAll() {
    // vis-network sizes a label when it draws it: draw every node at once (fitted) and every
    // label (no size threshold), then put the view and the threshold back.
    var scale = network.getScale(), at = network.getViewPosition();
    var threshold = data.options.nodes.scaling.label.drawThreshold;
    network.fit({animation: false});
    network.setOptions({nodes: {scaling: {label: {drawThreshold: 0}}}});
    network.redraw();
    network.setOptions({nodes: {scaling: {label: {drawThreshold: threshold}}}});
    network.moveTo({position: at, scale: scale});
  }
  function separateLabels() {
    // Physics spreads the nodes but not their labels: push apart any two nodes whose
    // footprints (the shape and its label, in canvas units, so at any zoom) overlap, along
    // the axis that needs the smaller move, until none do.  The labels' own sizes decide
    // the spacing, as the tiered layout's columns do.
    measureAll();
    var ids = nodes.getIds(), pos = network.getPositions(ids), box = [];
    ids.forEach(function (id) {
      var node = network.body.nodes[id], s = node.labelModule.size, b = node.shape.boundingBox, p = pos[id];
      var left = Math.min(b.left, s.width ? s.left : b.left), right = Math.max(b.right, s.width ? s.left + s.width : b.right);
      var top = Math.min(b.top, s.height ? s.top : b.top), bottom = Math.max(b.bottom, s.height ? s.top + s.height : b.bottom);
      box.push({id: id, x: p.x, y: p.y, l: left - p.x - 2, r: right - p.x + 2, t: top - p.y - 2, b: bottom - p.y + 2});
    });
    for (var round = 0; round < 500; round++) {
      var moved = false;
      for (var i = 0; i < box.length; i++) {
        for (var j = i + 1; j < box.length; j++) {
          var a = box[i], c = box[j];
          var dx = Math.min(a.x + a.r, c.x + c.r) - Math.max(a.x + a.l, c.x + c.l);
          var dy = Math.min(a.y + a.b, c.y + c.b) - Math.max(a.y + a.t, c.y + c.t);
          if (dx <= 0 || dy <= 0) { continue; }
          moved = true;
          // the side each goes to: by their centres, ties broken by their order
          if (dx <= dy) {
            var sx = (a.x + (a.l + a.r) / 2) <= (c.x + (c.l + c.r) / 2) ? 1 : -1;
            a.x -= sx * (dx / 2 + 0.5); c.x += sx * (dx / 2 + 0.5);
          } else {
            var sy = (a.y + (a.t + a.b) / 2) <= (c.y + (c.t + c.b) / 2) ? 1 : -1;
            a.y -= sy * (dy / 2 + 0.5); c.y += sy * (dy / 2 + 0.5);
          }
        }
      }
      if (!moved) { break; }
    }
    box.forEach(function (k) { network.moveNode(k.id, k.x, k.y); });
  }

  // ---- column headings of a tiered layout, above the top node
  var headingY = 0;
  data.nodes.forEach(function (n) { headingY = Math.min(headingY, n.y - n.size); });
  headingY -= 34;
  function fitAll() {
    network.fit();
    if (!data.columns.length) { return; }
    // leave room above the top row for the headings
    var scale = network.getScale() * 0.94, view = network.getViewPosition();
    network.moveTo({position: {x: view.x, y: view.y - 22 / scale}, scale: scale});
  }
  network.on("beforeDrawing", function (ctx) {
    if (!data.columns.length) { return; }
    ctx.save();
    ctx.font = "600 " + (13 / network.getScale()) + "px " + data.options.nodes.font.face;  // 13 px on screen
    ctx.fillStyle = "#5b6577";
    ctx.textAlign = "center";
    data.columns.forEach(function (c) { ctx.fillText(c.label, c.x, headingY); });
    ctx.restore();
  });

  // ---- statistics line
  var stats = document.getElementById("gk-stats");
  function updateStats() {
    var hiddenNodes = 0;
    Object.keys(hidden).forEach(function (g) { if (hidden[g]) { hiddenNodes += groupIds[g].length; } });
    var text = data.nodes.length + " nodes \u00b7 " + data.edges.length + " edges";
    if (hiddenNodes) { text += " \u00b7 " + hiddenNodes + " hidden by filter"; }
    text += " \u00b7 " + data.layoutText;
    stats.textContent = text;
  }

  // ---- group filter
  var toggles = Array.prototype.slice.call(document.querySelectorAll("input.gk-group-toggle"));
  function setGroupVisible(group, visible) {
    if (!groupIds[group]) { return; }
    hidden[group] = !visible;
    nodes.update(groupIds[group].map(function (id) { return {id: id, hidden: !visible}; }));
    var changes = [];
    data.edges.forEach(function (e) {
      var h = !!(hidden[byId[e.from].group] || hidden[byId[e.to].group]);
      if (h !== !!edges.get(e.id).hidden) { changes.push({id: e.id, hidden: h}); }
    });
    if (changes.length) { edges.update(changes); }
    toggles.forEach(function (t) { if (t.getAttribute("data-group") === group) { t.checked = visible; } });
    updateStats();
  }
  toggles.forEach(function (t) {
    t.addEventListener("change", function () { setGroupVisible(t.getAttribute("data-group"), t.checked); });
  });

  // ---- details of the selected node
  var details = document.getElementById("gk-details");
  function showDetails(id) {
    var n = id === undefined ? undefined : byId[id];
    if (!n) { details.hidden = true; return; }
    document.getElementById("gk-details-label").textContent = n.label;
    document.getElementById("gk-details-group").textContent = n.group;
    document.getElementById("gk-details-tip").textContent = n.tip || "";
    details.hidden = false;
  }
  network.on("selectNode", function (p) { showDetails(p.nodes[0]); });
  network.on("deselectNode", function (p) { showDetails(p.nodes[0]); });

  // ---- search
  var input = document.getElementById("gk-search");
  var status = document.getElementById("gk-search-status");
  var names = document.getElementById("gk-node-names");
  var seenLabels = Object.create(null);
  var fragment = document.createDocumentFragment();
  data.nodes.forEach(function (n) {
    if (seenLabels[n.label]) { return; }
    seenLabels[n.label] = true;
    var option = document.createElement("option");
    option.value = n.label;
    fragment.appendChild(option);
  });
  names.appendChild(fragment);
  function find(query) {
    var q = String(query).trim().toLocaleLowerCase();
    if (!q) { status.textContent = ""; network.unselectAll(); showDetails(); return []; }
    var exact = [], partial = [];
    data.nodes.forEach(function (n) {
      var label = n.label.toLocaleLowerCase();
      if (label === q || n.id.toLocaleLowerCase() === q) { exact.push(n.id); }
      else if (label.indexOf(q) !== -1) { partial.push(n.id); }
    });
    var hits = exact.length ? exact : partial;
    if (!hits.length) {
      status.textContent = "No node matches \u201c" + String(query).trim() + "\u201d.";
      return hits;
    }
    hits.forEach(function (id) { var g = byId[id].group; if (hidden[g]) { setGroupVisible(g, true); } });
    network.selectNodes(hits);
    if (hits.length === 1) {
      network.focus(hits[0], {scale: Math.max(network.getScale(), 1.1), animation: {duration: 300}});
    } else {
      network.fit({nodes: hits, animation: {duration: 300}});
    }
    showDetails(hits[0]);
    status.textContent = hits.length === 1 ? "1 node found." : hits.length + " nodes found; the first is shown.";
    return hits;
  }
  document.getElementById("gk-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    find(input.value);
  });
  input.addEventListener("input", function (ev) {
    // Picking a suggestion from the list searches at once.
    if (ev.inputType === undefined || ev.inputType === "insertReplacementText") {
      if (seenLabels[input.value]) { find(input.value); }
    }
  });
  gk.find = find;
  gk.setGroupVisible = setGroupVisible;

  // ---- ask the page: a click or a filter lights up the answer the library embedded
  var q = data.questions, answer = document.getElementById("gk-answer");
  var DIM_NODE = {background: "#eef0f3", border: "#d5d9e0", highlight: {background: "#eef0f3", border: "#000000"},
    hover: {background: "#eef0f3", border: "#000000"}};
  var DIM_EDGE = {color: "#eceef2", highlight: "#eceef2", hover: "#eceef2"};
  var litSet = null;
  function fontWith(n, color) { return Object.assign({}, n.font || {}, {color: color}); }
  function light(ids) {
    litSet = ids ? Object.create(null) : null;
    if (ids) { ids.forEach(function (id) { litSet[id] = true; }); }
    nodes.update(data.nodes.map(function (n) {
      var on = !litSet || litSet[n.id];
      return {id: n.id, color: on ? n.color : DIM_NODE,
        font: fontWith(n, on ? ((n.font && n.font.color) || "#1d2330") : "#b4bac4")};
    }));
    edges.update(data.edges.map(function (e) {
      var on = !litSet || (litSet[e.from] && litSet[e.to]);
      return {id: e.id, color: on ? e.color : DIM_EDGE};
    }));
  }
  var questions = gkQuestions(q, light, answer), ask = questions.ask, filterChanged = questions.filterChanged;
  network.on("click", function (p) {
    if (p.nodes.length) { ask(p.nodes[0]); }
    else if (!p.edges.length) { ask(); filterChanged(); }
  });
  gk.ask = function (id) { network.selectNodes(id === undefined ? [] : [id]); showDetails(id); ask(id); };
  gk.lit = function () { return litSet ? Object.keys(litSet).sort() : null; };
  gk.labelBoxes = function () {
    // Boxes of every shown node and of its label when drawn at the current zoom (else null),
    // in canvas coordinates (so comparable at any zoom).
    measureAll();
    return nodes.getIds().filter(function (id) { return !nodes.get(id).hidden; }).map(function (id) {
      var node = network.body.nodes[id], size = node.labelModule.size, box = node.shape.boundingBox;
      return {id: id, node: [box.left, box.top, box.right, box.bottom],
        label: node.labelModule.visible() ? [size.left, size.top, size.left + size.width, size.top + size.height] : null};
    });
  };
  updateStats();
})();
