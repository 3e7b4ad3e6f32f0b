// What every explorer's module shares: number formatting that matches Python's, the page's
// language, decoding of the arrays Python sends, labelled controls, pictures of grids, and the
// redraw loop (mountExplorer).
// The explorers import from here; convbook/explorers/base.py inlines this file into each one.

// ---- numbers, written as Python writes them -------------------------------------------------

// Python's f"{x:.{digits}f}". JavaScript's toFixed rounds exact ties away from zero
// ((0.125).toFixed(2) is "0.13") where Python rounds them to even ("0.12"); everything else
// agrees, because both round the exact binary value. x is an exact tie for `digits` decimals
// exactly when x * 2^(digits + 1) is an odd integer (an exact product: a power of two).
export function formatFixed(x, digits) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const size = Math.abs(x);
  // toFixed switches to exponent notation from 1e21; such a double is an integer, written out.
  let text = size >= 1e21 ? unitsToText(BigInt(size) * 10n ** BigInt(digits), digits) : size.toFixed(digits);
  const doubled = size * 2 ** (digits + 1);
  if (Number.isInteger(doubled) && doubled % 2 === 1 && digits <= 20) {
    // toFixed went up; Python keeps the even neighbour. Step down one unit in the last place
    // when the last digit came out odd.
    const units = BigInt(text.replace(".", ""));
    if (units % 2n === 1n) text = unitsToText(units - 1n, digits);
  }
  return sign + text;
}

function unitsToText(units, digits) {
  const whole = units.toString().padStart(digits + 1, "0");
  return digits ? `${whole.slice(0, -digits)}.${whole.slice(-digits)}` : whole;
}

// Python's f"{x:.{digits}%}": the number times 100 (a floating-point product, as in CPython).
export function formatPercent(x, digits = 0) {
  return `${formatFixed(x * 100, digits)}%`;
}

// Python's f"{n:,}" for integers.
export function formatThousands(n) {
  const text = String(Math.abs(Math.trunc(n)));
  return (n < 0 ? "-" : "") + text.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// "1 pixel", "2 pixels": a count and its English noun (the explorers' English texts).
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

// ---- the page's language -----------------------------------------------------------------------

// "ko" for a Korean language tag ("ko", "ko-KR"), "en" for any other (or none). Each explorer
// keeps its texts in a table by language (NAME.text.js) and picks one when it renders.
export function languageOf(tag) {
  return /^ko(-|$)/i.test(String(tag ?? "")) ? "ko" : "en";
}

// The language of the page around `el`: its closest lang attribute, else the document's. The
// Korean edition of the book is served with <html lang="ko">; JupyterLab and the English pages
// give English.
export function pageLanguage(el) {
  const holder = el.closest("[lang]");
  return languageOf(holder ? holder.getAttribute("lang") : document.documentElement.lang);
}

// ---- data from Python ------------------------------------------------------------------------

// The inverse of base.encode_array: base64 little-endian bytes -> a typed array.
export function decodeArray(text, dtype) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (dtype === "uint8") return bytes;
  if (dtype === "float32") return new Float32Array(bytes.buffer);
  throw new Error(`decodeArray: unknown dtype ${dtype}`);
}

// ---- colours -----------------------------------------------------------------------------------

const tables = new Map();

// A colour table from base.colour_table ("rrggbb" x 256) as 256 "#rrggbb" strings.
export function colourTable(text) {
  if (!tables.has(text)) {
    const colours = [];
    for (let i = 0; i < 256; i++) colours.push(`#${text.slice(6 * i, 6 * i + 6)}`);
    tables.set(text, colours);
  }
  return tables.get(text);
}

// The colour of `value` on a scale from vmin to vmax, as matplotlib picks it (256 bins).
export function colourOf(colours, value, vmin, vmax) {
  const span = vmax > vmin ? vmax - vmin : 1;
  const scaled = Math.min(Math.max((value - vmin) / span, 0), 1);
  return colours[Math.min(255, Math.floor(scaled * 256))];
}

// Black or white, whichever reads better on a background colour "#rrggbb".
export function inkOn(colour) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16) / 255);
  return 0.299 * r + 0.587 * g + 0.114 * b < 0.5 ? "#ffffff" : "#000000";
}

// ---- elements ------------------------------------------------------------------------------------

export function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// A labelled range slider showing its value. `onInput(value)` is called as it moves.
export function slider({ label, setting, min, max, value, onInput }) {
  const input = element("input", { type: "range", min, max, step: 1, value });
  input.dataset.setting = setting;
  const shown = element("output", { text: value, "aria-hidden": "true" });
  const field = element("label", { className: "cb-field cb-slider" }, [
    element("span", { className: "cb-label", text: label }),
    input,
    shown,
  ]);
  input.addEventListener("input", () => onInput(Number(input.value)));
  return {
    field,
    input,
    set(next) {
      // A value set from Python may lie outside the range; the browser would clamp it and the
      // slider would disagree with the message, so the range grows to hold it.
      if (next > Number(input.max)) input.max = next;
      if (next < Number(input.min)) input.min = next;
      input.value = next;
      shown.textContent = input.value;
    },
    range(low, high) {
      input.min = low;
      input.max = high;
    },
  };
}

// A labelled menu; options are [value, text] pairs. `onChange(value)` gets the chosen value.
export function menu({ label, setting, options, value, onChange }) {
  const select = element(
    "select",
    {},
    options.map(([optionValue, text]) => element("option", { value: optionValue, text })),
  );
  select.dataset.setting = setting;
  select.value = value;
  select.addEventListener("change", () => onChange(select.value));
  const field = element("label", { className: "cb-field" }, [
    element("span", { className: "cb-label", text: label }),
    select,
  ]);
  return { field, input: select, set: (next) => (select.value = next) };
}

// A labelled text box; `onChange(text)` is called when the reader commits (Enter or leaving).
export function textBox({ label, setting, value, placeholder, onChange, size = 28 }) {
  const input = element("input", { type: "text", value, placeholder, size, spellcheck: "false" });
  input.dataset.setting = setting;
  input.addEventListener("change", () => onChange(input.value));
  const field = element("label", { className: "cb-field cb-text" }, [
    element("span", { className: "cb-label", text: label }),
    input,
  ]);
  return { field, input, set: (next) => (input.value = next) };
}

// A picture with a caption; `body` is a canvas, a table or any element.
export function figure(body, caption = "") {
  const text = element("figcaption", { text: caption });
  const node = element("figure", { className: "cb-figure" }, [body, text]);
  return { node, caption: (next) => (text.textContent = next) };
}

// ---- grids ----------------------------------------------------------------------------------------

// Draw a rows x cols grid of values on a canvas, cell pixels a cell, and rectangles on top.
//   values: any array-like indexed [r * cols + c]; NaN cells are drawn in `missing`.
//   boxes:  [{row, col, height, width, stroke, fill, fillOpacity, lineWidth, dashed}]
//   dots:   [{x, y, radius, fill}] in cell units (x = column + 0.5 is a cell's centre)
export function drawGrid(canvas, options) {
  const {
    values, rows, cols, cell, colours, vmin, vmax, missing = "#f4f4f4", boxes = [],
    dots = [], gridlines = cell >= 8, label,
  } = options;
  const scale = Math.max(1, Math.round(window.devicePixelRatio || 1));
  const width = cols * cell + 2;
  const height = rows * cell + 2;
  if (canvas.width !== width * scale || canvas.height !== height * scale) {
    canvas.width = width * scale;
    canvas.height = height * scale;
  }
  canvas.style.width = `${width}px`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const context = canvas.getContext("2d");
  context.setTransform(scale, 0, 0, scale, 1 * scale, 1 * scale);
  context.clearRect(-1, -1, width, height);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = values[r * cols + c];
      context.fillStyle = Number.isNaN(value) ? missing : colourOf(colours, value, vmin, vmax);
      context.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  if (gridlines) {
    context.strokeStyle = "#d0d0d0";
    context.lineWidth = 0.5;
    context.beginPath();
    for (let r = 0; r <= rows; r++) {
      context.moveTo(0, r * cell);
      context.lineTo(cols * cell, r * cell);
    }
    for (let c = 0; c <= cols; c++) {
      context.moveTo(c * cell, 0);
      context.lineTo(c * cell, rows * cell);
    }
    context.stroke();
  }
  for (const box of boxes) {
    const x = box.col * cell;
    const y = box.row * cell;
    const w = (box.width ?? 1) * cell;
    const h = (box.height ?? 1) * cell;
    if (box.fill && box.fill !== "none") {
      context.globalAlpha = box.fillOpacity ?? 0.25;
      context.fillStyle = box.fill;
      context.fillRect(x, y, w, h);
      context.globalAlpha = 1;
    }
    if (box.stroke && box.stroke !== "none") {
      context.strokeStyle = box.stroke;
      context.lineWidth = box.lineWidth ?? 2;
      context.setLineDash(box.dashed ? [4, 2] : []);
      context.strokeRect(x, y, w, h);
      context.setLineDash([]);
    }
  }
  for (const dot of dots) {
    context.fillStyle = dot.fill;
    context.beginPath();
    context.arc(dot.x * cell, dot.y * cell, dot.radius, 0, 2 * Math.PI);
    context.fill();
  }
}

// A small grid with every value printed in its cell, as an HTML table (read out by screen
// readers cell by cell). `format(value)` writes a value.
export function numberTable({ values, rows, cols, colours, vmin, vmax, format, label }) {
  const body = [];
  for (let r = 0; r < rows; r++) {
    const cells = [];
    for (let c = 0; c < cols; c++) {
      const value = values[r * cols + c];
      const background = colourOf(colours, value, vmin, vmax);
      cells.push(
        element("td", { style: `background:${background};color:${inkOn(background)}`, text: format(value) }),
      );
    }
    body.push(element("tr", {}, cells));
  }
  return element("table", { className: "cb-numbers", "aria-label": label }, [
    element("tbody", {}, body),
  ]);
}

// ---- the explorer frame ---------------------------------------------------------------------------

// Settings that give no picture: the explorer shows `message` in place of the picture.
export class Problem extends Error {}

// Builds an explorer inside `el` and keeps it drawn.
//   name:     the explorer's name, on the root element as data-explorer.
//   controls: elements laid out above the picture.
//   picture:  the element that holds the pictures; hidden while the settings are impossible.
//   redraw(): draws for the model's current settings and returns what it showed (a JSON-able
//             object, written to the root's data-result for the tests); throws Problem with a
//             sentence for impossible settings.
//   sync():   puts the model's current settings into the controls (before each redraw).
// Returns a function that redraws; it is also called on every change of the model.
export function mountExplorer({ model, el, name, controls, picture, redraw, sync }) {
  const message = element("p", { className: "cb-message", role: "status", "aria-live": "polite" });
  const root = element("div", { className: "cb-explorer" }, [
    element("div", { className: "cb-controls" }, controls),
    message,
    picture,
  ]);
  root.dataset.explorer = name;
  root.convbookTimings = [];
  el.replaceChildren(root);

  function draw() {
    const started = performance.now();
    sync();
    let result;
    try {
      result = { message: "", ...redraw() };
      message.textContent = "";
      message.classList.remove("cb-problem");
      picture.hidden = false;
    } catch (problem) {
      if (!(problem instanceof Problem)) throw problem;
      result = { message: problem.message };
      message.textContent = problem.message;
      message.classList.add("cb-problem");
      picture.hidden = true;
    }
    root.dataset.result = JSON.stringify(result);
    const timings = root.convbookTimings;
    timings.push(performance.now() - started);
    if (timings.length > 2000) timings.splice(0, timings.length - 2000);
  }

  model.on("change", draw);
  draw();
  return () => model.off("change", draw);
}

// Set one setting from a control: the model changes, and its change event redraws.
export function setter(model, key) {
  return (value) => {
    model.set(key, value);
    model.save_changes();
  };
}
