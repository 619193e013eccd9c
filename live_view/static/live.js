// pressure-mat live page: draws what the server sends over a WebSocket (docs/live.md).
// Plain JavaScript, no libraries, so that it works offline.
"use strict";

const $ = (id) => document.getElementById(id);
const SIDE_COLOUR = { left: "#0072b2", right: "#d55e00" }; // Okabe-Ito, as in the report
const MAX_ROWS_SHOWN = 500;

// A viridis-like colour map; cells at zero stay white.
const LUT = (() => {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const f = (i / 255) * (stops.length - 1), k = Math.min(Math.floor(f), stops.length - 2), w = f - k;
    for (let c = 0; c < 3; c++) lut[i * 4 + c] = stops[k][c] * (1 - w) + stops[k + 1][c] * w;
    lut[i * 4 + 3] = 255;
  }
  lut.set([255, 255, 255, 255], 0);
  return lut;
})();

const state = { hello: null, rows: [], grid: null, image: null, socket: null, retry: 500, seeking: false, framesDrawn: 0 };

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws${location.search}`);
  state.socket = socket;
  socket.onopen = () => { state.retry = 500; setConnection(true); };
  socket.onmessage = (event) => handle(JSON.parse(event.data));
  socket.onclose = () => {
    setConnection(false);
    setTimeout(connect, state.retry); // the server may be back (or a new recording started)
    state.retry = Math.min(state.retry * 2, 5000);
  };
}

function setConnection(up) {
  const el = $("connection");
  el.textContent = up ? "connected" : "disconnected, retrying…";
  el.className = up ? "good" : "bad";
}

function handle(message) {
  switch (message.type) {
    case "hello": return setup(message);
    case "frame": return drawFrame(message);
    case "status": return showStatus(message);
    case "steps": return addSteps(message);
    case "error": return console.warn("server:", message.message);
  }
}

function setup(hello) {
  state.hello = hello;
  $("mode").textContent = hello.mode;
  $("title").textContent = hello.title || "";
  const width = hello.cols * hello.pitch_col_mm, height = hello.rows * hello.pitch_row_mm;
  const canvas = $("heatmap"), k = 640 / Math.max(width, height);
  canvas.width = Math.round(width * k);
  canvas.height = Math.round(height * k);
  state.grid = document.createElement("canvas");
  state.grid.width = hello.cols;
  state.grid.height = hello.rows;
  state.image = state.grid.getContext("2d").createImageData(hello.cols, hello.rows);
  $("replay").hidden = hello.mode !== "replay";
  if (hello.duration_s) $("slider").max = hello.duration_s;
  $("target").textContent = hello.target_ms
    ? `Target band ${hello.target_ms[0]}–${hello.target_ms[1]} ms: green inside, orange outside.`
    : "";
  drawColorbar();
}

function drawColorbar() {
  const bar = $("colorbar").getContext("2d"), image = bar.createImageData(256, 12);
  for (let x = 0; x < 256; x++)
    for (let y = 0; y < 12; y++) image.data.set(LUT.subarray(x * 4, x * 4 + 4), (y * 256 + x) * 4);
  bar.putImageData(image, 0, 0);
}

function drawFrame(frame) {
  if (!state.hello) return;
  const cells = Uint8Array.from(atob(frame.px), (c) => c.charCodeAt(0));
  const pixels = state.image.data;
  for (let i = 0; i < cells.length; i++) pixels.set(LUT.subarray(cells[i] * 4, cells[i] * 4 + 4), i * 4);
  state.grid.getContext("2d").putImageData(state.image, 0, 0);
  state.framesDrawn++; // read by benchmarks/bench_live.py
  const canvas = $("heatmap"), ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(state.grid, 0, 0, canvas.width, canvas.height);
  const sx = canvas.width / state.hello.cols, sy = canvas.height / state.hello.rows;
  if (frame.cop.length > 1) {
    ctx.strokeStyle = "#e6194b";
    ctx.lineWidth = 2;
    ctx.beginPath();
    frame.cop.forEach(([c, r], i) => (i ? ctx.lineTo(c * sx, r * sy) : ctx.moveTo(c * sx, r * sy)));
    ctx.stroke();
  }
  if (frame.cop.length) {
    const [c, r] = frame.cop[frame.cop.length - 1];
    ctx.fillStyle = "#e6194b";
    ctx.beginPath();
    ctx.arc(c * sx, r * sy, 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  $("scale-max").textContent = `${frame.scale.toFixed(0)} ${state.hello.pressure_unit}`;
  drawForce(frame.force_trail, frame.t);
  if (state.hello.mode === "replay" && !state.seeking) {
    $("slider").value = frame.t;
    $("position").textContent = `${frame.t.toFixed(1)} s`;
  }
}

function drawForce(trail, now) {
  const canvas = $("force"), ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const span = state.hello.force_window_s, top = Math.max(1, ...trail.map((p) => p[1])) * 1.1;
  ctx.fillStyle = "#555";
  ctx.font = "12px system-ui";
  ctx.fillText(`total force (${state.hello.force_unit}), last ${span} s; max ${top.toFixed(0)}`, 6, 14);
  ctx.strokeStyle = "#263238";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  trail.forEach(([t, f], i) => {
    const x = w - ((now - t) / span) * w, y = h - (f / top) * (h - 20);
    i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
  });
  ctx.stroke();
}

function showStatus(s) {
  $("st-state").textContent = s.state ?? "–";
  $("st-elapsed").textContent = s.elapsed_s != null ? `${s.elapsed_s.toFixed(1)} s` : "–";
  $("st-frames").textContent = s.frames ?? "–";
  $("st-rate").textContent = s.rate_hz != null ? `${s.rate_hz.toFixed(1)} Hz` : "–";
  $("st-dropped").textContent = s.dropped ?? "–";
  $("st-rejected").textContent = s.rejected ?? "–";
  if (state.hello && state.hello.mode === "replay") $("play").textContent = s.state === "playing" ? "Pause" : "Play";
}

function inTarget(row) {
  const band = state.hello && state.hello.target_ms;
  if (!band || row.transition_ms == null) return null;
  return row.transition_ms >= band[0] && row.transition_ms <= band[1];
}

function addSteps(message) {
  if (message.reset) {
    state.rows = [];
    $("step-rows").replaceChildren();
  }
  const body = $("step-rows");
  for (const row of message.rows) {
    state.rows.push(row);
    const tr = document.createElement("tr");
    tr.className = row.excluded ? "excluded" : `${row.side} ` + ({ true: "in-target", false: "off-target", null: "" })[inTarget(row)];
    tr.title = row.excluded ? `not in averages: ${row.excluded}` : row.side_confident ? "" : "side uncertain";
    const cells = [state.rows.length, fmt(row.ic_s, 2), row.side + (row.side_confident ? "" : "?"), fmt(row.contact_ms, 0), fmt(row.transition_ms, 0), fmt(row.transition_pct, 1), row.strike ?? "–"];
    for (const value of cells) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.appendChild(td);
    }
    body.insertBefore(tr, body.firstChild); // newest on top
  }
  while (body.children.length > MAX_ROWS_SHOWN) body.removeChild(body.lastChild);
  $("step-count").textContent = `(${state.rows.length})`;
  showMeans();
}

function fmt(value, digits) {
  return value == null ? "–" : value.toFixed(digits);
}

function showMeans() {
  for (const side of ["left", "right"]) {
    const rows = state.rows.filter((r) => r.side === side && !r.excluded && r.transition_ms != null);
    const mean = (key) => rows.reduce((a, r) => a + r[key], 0) / rows.length;
    const hits = rows.filter((r) => inTarget(r) === true).length;
    const cells = $(`mean-${side}`).querySelectorAll("td");
    cells[0].textContent = rows.length;
    cells[1].textContent = rows.length ? mean("transition_ms").toFixed(0) : "–";
    cells[2].textContent = rows.length ? mean("transition_pct").toFixed(1) : "–";
    cells[3].textContent = state.hello && state.hello.target_ms && rows.length ? `${hits}/${rows.length}` : "–";
    $(`mean-${side}`).style.color = SIDE_COLOUR[side];
  }
}

function send(command) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(command));
}

$("play").addEventListener("click", () => send({ cmd: $("play").textContent === "Pause" ? "pause" : "play" }));
$("slider").addEventListener("input", () => { state.seeking = true; $("position").textContent = `${Number($("slider").value).toFixed(1)} s`; });
$("slider").addEventListener("change", () => { state.seeking = false; send({ cmd: "seek", t: Number($("slider").value) }); });

connect();
