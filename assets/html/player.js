// tcpsim HTML player (docs/html.md). Draws the layouts tcpsim computed
// (gui/render/html_export.cpp: LadderLayout per time scale and language, the
// state diagram's data file with each transition's arrow resolved) and moves
// a cursor through the trace. It makes no layout decision and knows no TCP:
// every position, label and arrow below comes from the embedded data.
(function () {
  'use strict';

  const UI = {
    en: {
      first: 'First step (Home)', prev: 'Previous step (←)', next: 'Next step (→)', last: 'Last step (End)',
      scrub: 'Step', scale: 'Time scale', compressed: 'compressed', linear: 'linear', textbook: 'textbook',
      hidenext: 'Hide what comes next', log: 'Event log', lesson: 'Lesson', step: 'Step', of: 'of',
      start: 'Before the first event', other: '简体中文', tcb: 'TCB', field: 'field', none: '—',
      latest: 'latest', keys: 'Keys: ← → step · Home End · PgUp PgDn state changes · L language · H hide next · T time scale',
      made: 'Made by tcpsim export --html', timers: 'timers', sndbuf: 'send queue', rcvbuf: 'unread', orphan: 'orphan',
      retries: 'retransmits', loading: 'Loading…', noend: 'no socket', all: '← All scenarios',
      ladder: 'ladder'
    },
    zh_CN: {
      first: '第一步 (Home)', prev: '上一步 (←)', next: '下一步 (→)', last: '最后一步 (End)',
      scrub: '步骤', scale: '时间轴', compressed: '压缩', linear: '线性', textbook: '教科书',
      hidenext: '隐藏后续内容', log: '事件日志', lesson: '讲解', step: '第', of: '/',
      start: '第一个事件之前', other: 'English', tcb: 'TCB', field: '字段', none: '—',
      latest: '最近', keys: '按键：← → 单步 · Home End · PgUp PgDn 状态变化 · L 语言 · H 隐藏后续 · T 时间轴',
      made: '由 tcpsim export --html 生成', timers: '定时器', sndbuf: '发送队列', rcvbuf: '未读数据', orphan: '孤儿套接字',
      retries: '重传次数', loading: '加载中…', noend: '无套接字'
    }
  };
  const NS = 'http://www.w3.org/2000/svg';
  const FONT = '"DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif';
  const $ = (id) => document.getElementById(id);

  let D = null;
  let lang = 'en';
  let step = 0;
  let scale = 'compressed';
  let hideNext = false;
  let ladder = null;      // the drawn ladder: {L, s, body, head, items, arrows, cursor}
  let diagrams = [];      // per end: {svg, overlay, boxes}
  let stateSteps = [];    // cursors just after each state event
  let logShown = { step: -1, hide: false };  // what the log's rows show
  const LOG_WINDOW = 400, LOG_MARGIN = 60;   // rows in the log, and how near its ends the cursor may go
  let logRange = [0, 0];                     // the events the log's rows are

  function el(tag, attrs, parent, text) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) if (attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== '') e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(tag, cls, parent, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  const tr = (k) => UI[lang][k];
  const L1 = (pair) => (lang === 'zh_CN' ? pair[1] : pair[0]);
  const N = () => D.ev.length;
  const secs = (us) => (us / 1e6).toFixed(6) + ' s';
  // The ladder's time format (ladder.cpp axis_time): "11.320 ms", "60.118 s".
  const axisTime = (us) => (us < 1e6 ? (us / 1000).toFixed(3) + ' ms' : (us / 1e6).toFixed(3) + ' s');
  const timeAt = (c) => (c > 0 ? D.ev[c - 1][0] : 0);

  async function loadData() {
    const plain = $('tcpsim-data');
    if (plain) return JSON.parse(plain.textContent);
    const z = $('tcpsim-data-z').textContent.trim();
    const bin = Uint8Array.from(atob(z), (c) => c.charCodeAt(0));
    const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream('deflate'));
    return JSON.parse(await new Response(stream).text());
  }

  // The data comes column by column, growing columns as differences
  // (html_export.cpp): rows again here.
  function undelta(a) {
    const r = new Array(a.length);
    let acc = 0;
    for (let i = 0; i < a.length; i++) { acc += a[i]; r[i] = acc; }
    return r;
  }
  function decodeEvents(c) {
    const t = undelta(c.t);
    return t.map((ti, i) => [ti, c.kinds[c.k[i]], c.h[i], c.en[i], c.zh[i]]);
  }
  // [event, role, x, y, w, h, fill, colour, border, tick_to, px, bold, lines[[x, baseline, text, width, px?]]]
  function ladderTexts(L, strings) {
    const t = L.t, l = L.l, ev = undelta(t.ev), y = undelta(t.y), out = [];
    let j = 0;
    for (let i = 0; i < ev.length; i++) {
      const st = L.st[t.st[i]], x = t.x[i], lines = [];
      for (let k = 0; k < t.nl[i]; k++, j++) {
        const line = [x + l.x[j], y[i] + l.y[j], strings[l.s[j]], l.w[j]];
        if (l.px[j]) line.push(l.px[j]);
        lines.push(line);
      }
      out.push([ev[i], st[0], x, y[i], t.w[i], t.h[i], st[1], st[2], st[3], t.tick[i], st[4], st[5], lines]);
    }
    return out;
  }

  // ---- the ladder: LadderLayout's boxes and lines, drawn as they are ----
  function arrowHead(g, x0, y0, x1, y1, size, colour) {
    const a = Math.atan2(y1 - y0, x1 - x0), s = 0.45;
    const p = [[x1, y1], [x1 - size * Math.cos(a - s), y1 - size * Math.sin(a - s)],
               [x1 - size * Math.cos(a + s), y1 - size * Math.sin(a + s)]];
    el('polygon', { points: p.map((q) => q.join(',')).join(' '), fill: colour }, g);
  }
  function resetBar(g, x0, y0, x1, y1, size, colour, w) {
    const a = Math.atan2(y1 - y0, x1 - x0);
    const bx = x1 - (size + 4) * Math.cos(a), by = y1 - (size + 4) * Math.sin(a);
    const nx = -Math.sin(a) * size * 0.8, ny = Math.cos(a) * size * 0.8;
    el('line', { x1: bx - nx, y1: by - ny, x2: bx + nx, y2: by + ny, stroke: colour, 'stroke-width': w }, g);
  }
  function drawText(g, t) {
    // [event, role, x, y, w, h, fill, colour, border, tick_to, px, bold, lines]
    const [ev, role, x, y, w, hgt, fill, colour, border, tick, px, bold, lines] = t;
    const grp = el('g', { class: 'lt', 'data-role': role, 'data-ev': ev }, g);
    if (tick >= 0) {
      const cy = y + hgt / 2;
      el('line', { x1: tick < x ? x : x + w, y1: cy, x2: tick, y2: cy, stroke: '#000', 'stroke-width': 1.2 }, grp);
    }
    if (fill || border) {
      el('rect', { x: x, y: y, width: w, height: hgt, rx: border ? 4 : 0, fill: fill || 'none',
                   stroke: border ? '#000' : '', 'stroke-width': border ? 1.2 : '' }, grp);
    }
    for (const ln of lines) {
      const size = ln.length > 4 ? ln[4] : px;
      el('text', { x: ln[0], y: ln[1], 'font-size': size, 'font-weight': bold ? 'bold' : '', fill: colour || '#000',
                   'font-family': FONT, textLength: ln[3] > 0 ? ln[3] : '', lengthAdjust: 'spacingAndGlyphs' }, grp, ln[2]);
    }
    return grp;
  }

  function buildLadder() {
    const pane = $('ladder'), headBox = $('ladderhead');
    pane.textContent = '';
    headBox.textContent = '';
    const avail = Math.max(200, pane.clientWidth - 18);
    // A phone gets the layout made for its width (html_export.cpp), not a shrunken one.
    const narrow = avail < 560 && D.lad[scale][lang + '/narrow'];
    const L = narrow ? D.lad[scale][lang + '/narrow'] : D.lad[scale][lang];
    if (!L.texts) {
      L.texts = ladderTexts(L, D.str[lang]);
      L.cur = undelta(L.cur);
      L.maxTextH = Math.max(0, ...L.texts.map((t) => t[5]));
      L.order = L.texts.map((t, i) => i).sort((x, y) => L.texts[x][3] - L.texts[y][3]);
    }
    // The canvas: the layout's width, or its widest text's right edge when
    // a host header reaches past it (a narrow layout's last host).
    if (L.right === undefined) L.right = Math.max(L.w, ...L.texts.map((t) => t[2] + t[4] + 2));
    const W = L.right;
    const s = Math.min(1.25, Math.max(narrow ? 0.72 : 0.8, avail / W));
    L.s = s;
    const head = el('svg', { viewBox: `0 0 ${W} ${L.hh}`, width: W * s, height: L.hh * s, role: 'img' }, headBox);
    const body = el('svg', { viewBox: `0 ${L.hh} ${W} ${L.h - L.hh}`, width: W * s, height: (L.h - L.hh) * s,
                             id: 'laddersvg' }, pane);
    el('rect', { x: 0, y: 0, width: W, height: L.h, fill: '#fff' }, body);
    el('rect', { x: 0, y: 0, width: W, height: L.hh, fill: '#fff' }, head);
    for (const [x, top] of L.life) {
      el('line', { x1: x, y1: top, x2: x, y2: L.hh, stroke: '#555', 'stroke-width': 2.2 }, head);
      el('line', { x1: x, y1: L.hh, x2: x, y2: L.bottom, stroke: '#555', 'stroke-width': 2.2 }, body);
    }
    // The header band's texts are drawn once; the body's are drawn for the
    // part in view only (as LadderLayout::paint draws its clip), so a run of
    // ten thousand events steps as fast as a short one.
    for (const t of L.texts) if (t[3] + t[5] <= L.hh + 0.5) drawText(head, t);
    const breakLayer = el('g', { id: 'breaks' }, body);
    const arrowLayer = el('g', { id: 'segs' }, body);
    const textLayer = el('g', { id: 'texts' }, body);
    const cursor = el('line', { x1: 0, x2: L.w, y1: 0, y2: 0, stroke: '#E69F00', 'stroke-width': 2.5,
                                'stroke-dasharray': '8 4', id: 'cursorline' }, body);
    const [cx, cy, cw, chh, cpx] = L.chip;
    el('rect', { x: cx, y: cy, width: cw, height: chh, rx: 4, fill: '#E69F00', stroke: '#000' }, head);
    const chip = el('text', { x: cx + 6, y: cy + chh / 2 + cpx * 0.35, 'font-size': cpx, 'font-weight': 'bold',
                              fill: '#000', 'font-family': FONT }, head);
    let queued = false;
    pane.onscroll = () => {
      headBox.scrollLeft = pane.scrollLeft;
      if (!queued) {
        queued = true;
        requestAnimationFrame(() => { queued = false; drawVisible(); });
      }
    };
    ladder = { L: L, s: s, body: body, head: head, cursor: cursor, chip: chip, breakLayer: breakLayer,
               arrowLayer: arrowLayer, textLayer: textLayer, drawnStep: -1, drawnTop: 0, drawnBottom: -1,
               drawn: new Map() };
  }

  // Draws the events before the cursor that lie in [top, bottom] of the
  // layout (the view and a screen's height around it).
  function drawVisible(force) {
    const lad = ladder, L = lad.L, pane = $('ladder');
    const viewTop = L.hh + pane.scrollTop / lad.s, viewBottom = viewTop + pane.clientHeight / lad.s;
    if (!force && lad.drawnStep === step && viewTop >= lad.drawnTop && viewBottom <= lad.drawnBottom) return;
    const margin = Math.max(300, pane.clientHeight / lad.s);
    const top = viewTop - margin, bottom = viewBottom + margin;
    lad.drawnStep = step; lad.drawnTop = top; lad.drawnBottom = bottom;
    // What should be drawn now; nodes already drawn are kept (a text never
    // changes once shown, an arrow only while it is in flight).
    const want = new Map();
    L.breaks.forEach(([y, ev], k) => { if (ev < step && y >= top && y <= bottom) want.set('b' + k, null); });
    for (let k = 0; k < D.segs.length; k++) {
      const sg = D.segs[k], geo = L.arrows[k];
      if (!geo || sg[0] >= step) continue;
      if (Math.max(geo[1], geo[3]) < top || Math.min(geo[1], geo[3]) > bottom) continue;
      want.set('a' + k, arrowState(sg, geo, step));
    }
    const order = L.order, texts = L.texts;
    let lo = 0, hi = order.length;
    while (lo < hi) {   // texts in order of their top: from the first that may reach `top`
      const mid = (lo + hi) >> 1;
      if (texts[order[mid]][3] + L.maxTextH < top) lo = mid + 1; else hi = mid;
    }
    for (let j = lo; j < order.length; j++) {
      const t = texts[order[j]];
      if (t[3] > bottom) break;
      if (t[0] < 0 || t[0] >= step || t[3] + t[5] <= L.hh + 0.5 || t[3] + t[5] < top) continue;
      want.set('t' + order[j], null);
    }
    const drawn = lad.drawn;
    for (const [key, node] of drawn) {
      if (!want.has(key) || (key[0] === 'a' && node.dataset.state !== want.get(key).key)) {
        node.remove();
        drawn.delete(key);
      }
    }
    for (const [key, st] of want) {
      if (drawn.has(key)) continue;
      const k = +key.slice(1);
      let node;
      if (key[0] === 't') node = drawText(lad.textLayer, texts[k]);
      else if (key[0] === 'a') {
        const sg = D.segs[k];
        node = el('g', { class: 'seg', 'data-seg': k, 'data-send': sg[0], 'data-flags': sg[5], 'data-state': st.key },
                  lad.arrowLayer);
        drawArrow(node, sg, L.arrows[k], st);
      } else node = drawBreak(lad.breakLayer, L, L.breaks[k][0]);
      drawn.set(key, node);
    }
  }

  function drawBreak(layer, L, y) {
    const g = el('g', { class: 'brk' }, layer);
    el('line', { x1: 0, y1: y, x2: L.w - 6, y2: y, stroke: '#888', 'stroke-dasharray': '2 3' }, g);
    for (const [x] of L.life) {
      el('rect', { x: x - 12, y: y - 8, width: 24, height: 16, fill: '#fff' }, g);
      el('path', { d: `M${x - 12},${y - 4}L${x - 4},${y - 8}L${x + 4},${y}L${x + 12},${y - 4}` +
                      `M${x - 12},${y + 4}L${x - 4},${y}L${x + 4},${y + 8}L${x + 12},${y + 4}`,
                   stroke: '#555', fill: 'none', 'stroke-width': 1.6 }, g);
    }
    return g;
  }

  // As LadderLayout::paint: an arrow once sent, whole when its delivery or
  // drop has happened, else in flight up to the cursor's time.
  function arrowState(sg, geo, c) {
    const [send, deliver, drop] = sg;
    const [x0, y0, gx1, gy1] = geo;
    let x1 = gx1, y1 = gy1, partial = false;
    const dropped = drop >= 0 && drop < c;
    if (deliver >= 0 && deliver >= c) {
      const t0 = D.ev[send][0], t1 = D.ev[deliver][0];
      const f = Math.min(0.98, Math.max(0.04, (timeAt(c) - t0) / Math.max(1, t1 - t0)));
      x1 = x0 + (gx1 - x0) * f; y1 = y0 + (gy1 - y0) * f; partial = true;
    } else if (drop >= 0 && drop >= c) {
      x1 = x0 + (gx1 - x0) * 0.3; y1 = y0 + (gy1 - y0) * 0.3; partial = true;
    } else if (deliver < 0 && drop < 0) {
      partial = true;
    }
    return { x1: x1, y1: y1, partial: partial, dropped: dropped, key: [x1.toFixed(1), y1.toFixed(1), partial, dropped].join() };
  }

  function drawArrow(g, sg, geo, st) {
    const rst = sg[6], retrans = sg[7];
    const [x0, y0, , , colour] = geo;
    const { x1, y1, partial, dropped } = st;
    const lw = 1.6;
    el('line', { x1: x0, y1: y0, x2: x1, y2: y1, stroke: colour, 'stroke-width': rst ? lw + 1.8 : lw + 0.4,
                 'stroke-dasharray': retrans ? '8 5' : '' }, g);
    if (!partial && !dropped) {
      arrowHead(g, x0, y0, x1, y1, 10 + lw, colour);
      if (rst) resetBar(g, x0, y0, x1, y1, 9 + lw, colour, lw + 1.8);
    }
    if (partial) el('circle', { cx: x1, cy: y1, r: 3 + lw, fill: colour }, g);
    if (dropped) {
      const d = 7 + lw;
      el('path', { d: `M${x1 - d},${y1 - d}L${x1 + d},${y1 + d}M${x1 - d},${y1 + d}L${x1 + d},${y1 - d}`,
                   stroke: '#000', 'stroke-width': lw + 1.4 }, g);
    }
  }

  function updateLadder() {
    const { L, s } = ladder;
    const y = L.cur[step];
    ladder.cursor.setAttribute('y1', y);
    ladder.cursor.setAttribute('y2', y);
    ladder.chip.textContent = '▶ ' + axisTime(timeAt(step));
    // "Hide what comes next": the ladder ends at the cursor, as the GUI's
    // ladder of the events so far (nothing below to scroll to).
    const bottom = hideNext ? Math.min(L.h, y + 60) : L.h;
    ladder.body.setAttribute('viewBox', `0 ${L.hh} ${L.right} ${bottom - L.hh}`);
    ladder.body.setAttribute('height', (bottom - L.hh) * s);
    const pane = $('ladder');
    const py = (y - L.hh) * s;
    if (py < pane.scrollTop + 20 || py > pane.scrollTop + pane.clientHeight - 40)
      pane.scrollTop = Math.max(0, py - pane.clientHeight * 0.6);
    drawVisible(true);
    // What is drawn, for a reader of the page (and tests/html): the number
    // of segments sent before the cursor.
    let shown = 0;
    for (let k = 0; k < D.segs.length; k++) if (D.segs[k][0] < step && L.arrows[k]) shown++;
    ladder.arrowLayer.dataset.shown = shown;
  }

  // ---- the state diagrams: rfc793.json's boxes and arrows ----
  function polyPath(p) { return 'M' + p.map((q) => q.join(',')).join('L'); }
  function drawDiagramArrow(g, a, colour, width, dash) {
    el('path', { d: polyPath(a.p), fill: 'none', stroke: colour, 'stroke-width': width,
                 'stroke-dasharray': dash ? '12 8' : '' }, g);
    const n = a.p.length;
    if (n >= 2) arrowHead(g, a.p[n - 2][0], a.p[n - 2][1], a.p[n - 1][0], a.p[n - 1][1], 10 + width * 2, colour);
    if (a.rst && n >= 2) resetBar(g, a.p[n - 2][0], a.p[n - 2][1], a.p[n - 1][0], a.p[n - 1][1], 14, colour, width);
  }
  function midpoint(p) {
    let total = 0;
    for (let i = 1; i < p.length; i++) total += Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
    let half = total / 2;
    for (let i = 1; i < p.length; i++) {
      const d = Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
      if (d >= half && d > 0) {
        const f = half / d;
        return [p[i - 1][0] + (p[i][0] - p[i - 1][0]) * f, p[i - 1][1] + (p[i][1] - p[i - 1][1]) * f];
      }
      half -= d;
    }
    return p[0];
  }
  function labelBlock(g, x, y, lines, size, colour, bg) {
    const hgt = size * 1.2;
    const top = y - (lines.length * hgt) / 2;
    if (bg) {
      const w = Math.max(...lines.map((l) => l.length)) * size * 0.62 + 8;
      el('rect', { x: x - w / 2, y: top - 2, width: w, height: lines.length * hgt + 4, fill: bg, rx: 4 }, g);
    }
    lines.forEach((l, i) => el('text', { x: x, y: top + (i + 0.8) * hgt, 'font-size': size, 'text-anchor': 'middle',
                                         fill: colour, 'font-family': FONT }, g, l));
  }

  function buildDiagrams() {
    const box = $('diagrams');
    box.textContent = '';
    diagrams = [];
    const G = D.dia;
    D.ends.forEach((end, i) => {
      const panel = h('div', 'dia', box);
      panel.dataset.end = i;
      panel.dataset.socket = end.addr || '';
      panel.dataset.first = end.tr.length ? end.tr[0].i : -1;
      h('h3', '', panel, end.label);
      const st = h('div', 'state', panel);
      const latest = h('div', 'latest', panel);
      const svg = el('svg', { viewBox: `-20 -50 ${G.w + 40} ${G.h + 70}`, role: 'img' }, panel);
      const wide = panel.clientWidth >= 420;   // room for the figure's own labels
      const base = el('g', {}, svg);
      for (const a of G.arrows) {
        drawDiagramArrow(base, a, '#b9b9b9', 2, a.dash);
        if (wide) labelBlock(base, a.l[0], a.l[1], [L1(a.e), L1(a.a)].filter((x) => x), 15, '#777');
      }
      const boxes = G.boxes.map((b) => {
        const g = el('g', { class: 'box', 'data-state': b[1] }, svg);
        const r = el('rect', { x: b[2] - G.bw / 2, y: b[3] - G.bh / 2, width: G.bw, height: G.bh, rx: 8,
                               fill: '#fff', stroke: '#555', 'stroke-width': 2 }, g);
        const t = el('text', { x: b[2], y: b[3] + 8, 'font-size': 22, 'font-weight': 'bold', 'text-anchor': 'middle',
                               'font-family': FONT, fill: '#222' }, g, b[1]);
        return { g: g, r: r, t: t };
      });
      const overlay = el('g', {}, svg);
      diagrams.push({ end: end, st: st, latest: latest, svg: svg, boxes: boxes, overlay: overlay, panel: panel });
    });
    if (!D.ends.length) h('div', 'dia', box, tr('noend'));
  }

  const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';
  function updateDiagrams() {
    for (const dg of diagrams) {
      const trs = dg.end.tr.filter((x) => x.i < step);
      const cur = trs.length ? trs[trs.length - 1] : null;
      const state = cur ? cur.to : null;
      dg.st.textContent = state || tr('none');
      dg.panel.dataset.state = state || '';
      dg.latest.textContent = cur ? `${CIRCLED[trs.length - 1] || trs.length} ${cur.from} → ${cur.to}: ${L1(cur.cause)}` : '';
      const visited = new Set(), here = cur && cur.b1 !== undefined ? cur.b1 : -1;
      for (const x of trs) { if (x.b0 !== undefined) visited.add(x.b0); if (x.b1 !== undefined) visited.add(x.b1); }
      dg.boxes.forEach((b, k) => {
        const isCur = k === here, vis = visited.has(k);
        b.r.setAttribute('fill', isCur ? '#E69F00' : vis ? '#D7EBF8' : '#fff');
        b.r.setAttribute('stroke', isCur ? '#000' : vis ? '#0072B2' : '#555');
        b.r.setAttribute('stroke-width', isCur ? 7 : vis ? 3 : 2);
        b.g.classList.toggle('current', isCur);
      });
      const ov = dg.overlay;
      ov.textContent = '';
      trs.forEach((x, k) => {
        if (!x.arrow) return;
        const last = k === trs.length - 1;
        drawDiagramArrow(ov, x.arrow, last ? '#D55E00' : '#0072B2', last ? 7 : 4, x.arrow.dash);
      });
      trs.forEach((x, k) => {
        if (!x.arrow) return;
        const m = midpoint(x.arrow.p);
        el('circle', { cx: m[0], cy: m[1], r: 17, fill: '#fff', stroke: '#0072B2', 'stroke-width': 2 }, ov);
        el('text', { x: m[0], y: m[1] + 8, 'font-size': 22, 'text-anchor': 'middle', 'font-family': FONT,
                     'font-weight': 'bold' }, ov, String(k + 1));
      });
      if (cur && cur.arrow) {
        const lines = [L1(cur.arrow.e), L1(cur.arrow.a)].filter((x) => x);
        labelBlock(ov, cur.arrow.l[0], cur.arrow.l[1], lines, 24, '#8a3300', 'rgba(255,255,255,0.92)');
      }
    }
  }

  // ---- the side: where we are, the TCB, the log, the lesson ----
  function tcbAt(end) {
    let best = null;
    for (const row of end.tcb) { if (row[0] < step) best = row; else break; }
    return best;
  }
  function updateSide() {
    const now = $('now');
    now.textContent = step === 0 ? tr('start')
      : `${secs(D.ev[step - 1][0])} · ${D.hosts[D.ev[step - 1][2]] || ''} · ${D.ev[step - 1][lang === 'zh_CN' ? 4 : 3]}`;
    const tcb = $('tcb');
    tcb.textContent = '';
    if (D.ends.length) {
      const table = h('table', '', tcb);
      const head = h('tr', '', table);
      h('th', '', head, tr('tcb'));
      const rows = D.ends.map(tcbAt);
      D.ends.forEach((e) => h('th', '', head, e.label));
      const rel = (a, b) => ((a - b) >>> 0);
      const fields = [
        ['state', (r) => r[1]],
        ['ISS', (r) => String(r[2])],
        ['IRS', (r) => String(r[3])],
        ['SND.UNA', (r) => `${r[4]} (+${rel(r[4], r[2])})`],
        ['SND.NXT', (r) => `${r[5]} (+${rel(r[5], r[2])})`],
        ['SND.WND', (r) => String(r[6])],
        ['RCV.NXT', (r) => `${r[7]} (+${rel(r[7], r[3])})`],
        ['RCV.WND', (r) => String(r[8])],
        [tr('sndbuf'), (r) => String(r[9])],
        [tr('rcvbuf'), (r) => String(r[10])],
        ['RTO', (r) => (r[11] / 1000).toFixed(0) + ' ms'],
        [tr('retries'), (r) => String(r[12]) + (r[13] ? ' · ' + tr('orphan') : '')],
        [tr('timers'), (r) => r[14].map(([n, d]) => `${n} ${((d - timeAt(step)) / 1e6).toFixed(3)} s`).join(', ') || tr('none')]
      ];
      for (const [name, f] of fields) {
        const row = h('tr', '', table);
        h('th', '', row, name);
        rows.forEach((r) => h('td', 'v', row, r ? f(r) : tr('none')));
      }
    }
    const log = $('log');
    // The log holds the rows around the cursor (all of a short run): a
    // run of ten thousand events steps without laying out ten thousand rows.
    if (step - 1 < logRange[0] + LOG_MARGIN && logRange[0] > 0 ||
        step - 1 >= logRange[1] - LOG_MARGIN && logRange[1] < N()) buildLog();
    const lis = log.children, base = logRange[0];
    // Only the rows between the step the log shows and the new one change.
    const all = logShown.hide !== hideNext || logShown.step < 0;
    const from = all ? 0 : Math.max(0, Math.min(logShown.step, step) - 1 - base);
    const to = all ? lis.length : Math.min(lis.length, Math.max(logShown.step, step) + 1 - base);
    for (let j = from; j < to; j++) {
      const li = lis[j], i = j + base;
      li.classList.toggle('cur', i === step - 1);
      li.classList.toggle('future', i >= step && !hideNext);
      li.classList.toggle('hidden', i >= step && hideNext);
    }
    logShown = { step: step, hide: hideNext };
    const cur = lis[step - 1 - base];
    if (cur) {
      const top = cur.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
      if (top < log.scrollTop || top > log.scrollTop + log.clientHeight - cur.offsetHeight)
        log.scrollTop = Math.max(0, top - log.clientHeight / 2);
    } else log.scrollTop = 0;
  }
  function buildLog() {
    const log = $('log');
    logShown = { step: -1, hide: hideNext };
    logRange = [Math.max(0, step - 1 - LOG_WINDOW / 2), 0];
    logRange[1] = Math.min(N(), logRange[0] + LOG_WINDOW);
    logRange[0] = Math.max(0, logRange[1] - LOG_WINDOW);
    log.textContent = '';
    log.start = logRange[0] + 1;
    const frag = document.createDocumentFragment();
    for (let i = logRange[0]; i < logRange[1]; i++) {
      const e = D.ev[i];
      const li = h('li', '', frag, `${secs(e[0])}  ${lang === 'zh_CN' ? e[4] : e[3]}`);
      li.dataset.i = i;
    }
    log.appendChild(frag);
  }

  // The lesson's light markdown (paragraphs, **bold**, *italics*, `code`,
  // "- " lists) as DOM nodes: text is only ever set as text, never as HTML.
  function inline(parent, text) {
    const re = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*)/g;
    let last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      const tok = m[0];
      if (tok.startsWith('**')) h('strong', '', parent, tok.slice(2, -2));
      else if (tok.startsWith('`')) h('code', '', parent, tok.slice(1, -1));
      else h('em', '', parent, tok.slice(1, -1));
      last = m.index + tok.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function markdown(parent, text) {
    for (const para of text.split(/\n\s*\n/)) {
      const lines = para.split('\n').filter((l) => l.trim());
      if (!lines.length) continue;
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        const ul = h('ul', '', parent);
        lines.forEach((l) => inline(h('li', '', ul), l.replace(/^\s*[-*] /, '')));
      } else inline(h('p', '', parent), lines.join(' '));
    }
  }

  function applyLanguage() {
    document.documentElement.lang = lang === 'zh_CN' ? 'zh-CN' : 'en';
    document.title = L1(D.title);
    $('title').textContent = L1(D.title);
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = tr(e.dataset.i18n);
    for (const e of document.querySelectorAll('[data-i18n-title]')) {
      e.title = tr(e.dataset.i18nTitle);
      e.setAttribute('aria-label', tr(e.dataset.i18nTitle));
    }
    $('scrub').setAttribute('aria-label', tr('scrub'));
    const btn = $('lang');
    btn.textContent = tr('other');
    btn.lang = lang === 'zh_CN' ? 'en' : 'zh-CN';
    const lesson = $('lesson');
    lesson.textContent = '';
    const sum = L1(D.summary);
    if (sum) h('p', '', lesson, sum);
    markdown(h('div', '', lesson), L1(D.lesson));
    if (D.tags.length) h('p', 'tags', lesson, '# ' + D.tags.join('  # '));
    buildLog();
    buildDiagrams();
    buildLadder();
  }

  function render() {
    $('scrub').value = step;
    $('stepinfo').textContent = `${tr('step')} ${step} ${tr('of')} ${N()}`;
    document.body.dataset.step = step;
    document.body.dataset.lang = lang;
    updateLadder();
    updateDiagrams();
    updateSide();
    try {
      const frag = `#step=${step}`;
      if (location.hash !== frag) history.replaceState(null, '', frag);
    } catch (err) { /* a sandboxed frame may refuse: the page still steps */ }
  }
  function go(c) {
    step = Math.max(0, Math.min(N(), c | 0));
    render();
  }
  function setLang(l) {
    lang = l === 'zh_CN' ? 'zh_CN' : 'en';
    applyLanguage();
    render();
  }
  function setScale(sc) {
    if (!D.lad[sc]) return;
    scale = sc;
    $('scale').value = sc;
    buildLadder();
    render();
  }
  function fromHash() {
    const m = /(?:^#|&)step=(\d+)/.exec(location.hash);
    const lm = /(?:^#|&)lang=(en|zh_CN)/.exec(location.hash);
    if (lm && lm[1] !== lang) { lang = lm[1]; applyLanguage(); }
    if (m) go(parseInt(m[1], 10));
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && t.tagName === 'SELECT') return;
    const k = ev.key;
    const nextState = () => stateSteps.find((c) => c > step);
    const prevState = () => [...stateSteps].reverse().find((c) => c < step);
    let handled = true;
    if (k === 'ArrowRight' || k === 'ArrowDown') go(step + 1);
    else if (k === 'ArrowLeft' || k === 'ArrowUp') go(step - 1);
    else if (k === 'Home') go(0);
    else if (k === 'End') go(N());
    else if (k === 'PageDown') go(nextState() ?? N());
    else if (k === 'PageUp') go(prevState() ?? 0);
    else if (k === 'l' || k === 'L') setLang(lang === 'en' ? 'zh_CN' : 'en');
    else if (k === 'h' || k === 'H') { hideNext = !hideNext; $('hidenext').checked = hideNext; render(); }
    else if (k === 't' || k === 'T') {
      const order = ['compressed', 'linear', 'textbook'];
      setScale(order[(order.indexOf(scale) + 1) % 3]);
    } else handled = false;
    if (handled) ev.preventDefault();
  }

  async function start() {
    try {
      D = await loadData();
    } catch (err) {
      $('now').textContent = 'This page could not read its data: ' + err;
      return;
    }
    D.ev = decodeEvents(D.ev);
    lang = D.lang === 'zh_CN' ? 'zh_CN' : 'en';
    scale = D.lad[D.scale] ? D.scale : 'compressed';
    $('scale').value = scale;
    stateSteps = [];
    D.ev.forEach((e, i) => { if (e[1] === 'state') stateSteps.push(i + 1); });
    $('scrub').max = N();
    applyLanguage();
    $('first').onclick = () => go(0);
    $('prev').onclick = () => go(step - 1);
    $('next').onclick = () => go(step + 1);
    $('last').onclick = () => go(N());
    $('scrub').oninput = (e) => go(parseInt(e.target.value, 10));
    $('scale').onchange = (e) => setScale(e.target.value);
    $('hidenext').onchange = (e) => { hideNext = e.target.checked; render(); };
    $('lang').onclick = () => setLang(lang === 'en' ? 'zh_CN' : 'en');
    document.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', fromHash);
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => { buildDiagrams(); buildLadder(); render(); }, 150);
    });
    step = 0;
    fromHash();
    render();
    document.body.dataset.ready = '1';
  }
  start();
})();
