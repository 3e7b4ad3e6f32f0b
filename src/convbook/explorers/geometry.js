// The padding and stride explorer: choose the input size, kernel, padding and stride, and see
// where the windows go, which input pixels they miss, the output size and Keras' answer.
// Python side: convbook/explorers/geometry.py (which also computes, with convbook.geometry,
// what this module must show: the tests compare the two).
import {
  Problem, colourTable, decodeArray, drawGrid, element, figure, menu, mountExplorer, pageLanguage,
  slider,
} from "./common.js";
import { geometryText } from "./geometry.text.js";

const PADDINGS = ["valid", "same", "full", "explicit"];
const SETTINGS = ["input_size", "kernel_size", "padding", "zeros", "stride", "window"];

// Python's repr() of the values a setting can hold (strings and numbers).
function repr(value) {
  return typeof value === "string" ? `'${value}'` : String(value);
}

// convbook.ops.same_padding: ceil(i / s) positions; an odd zero goes after the input.
export function samePadding(i, k, s) {
  const total = Math.max((Math.ceil(i / s) - 1) * s + k - i, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

// convbook.geometry.axis_geometry: the windows along one axis, or a Problem saying why none
// (in the language of `text`, geometry.text.js).
export function axisGeometry(i, k, s, padding, text = geometryText.en) {
  for (const [part, value] of [["input", i], ["kernel", k]]) {
    if (!Number.isInteger(value) || value < 1) throw new Problem(text.tooSmall(part, repr(value)));
  }
  if (s === 0) throw new Problem(text.strideZero);
  if (!Number.isInteger(s) || s < 0) throw new Problem(text.strideNotWhole(repr(s)));
  let before;
  let after;
  const name = typeof padding === "string" ? padding.toLowerCase() : null;
  if (name === "valid") [before, after] = [0, 0];
  else if (name === "same") [before, after] = samePadding(i, k, s);
  else if (name === "full") [before, after] = [k - 1, k - 1];
  else if (Number.isInteger(padding) && padding >= 0) [before, after] = [padding, padding];
  else throw new Problem(text.badPadding(repr(padding)));
  const padded = i + before + after;
  if (k > padded) throw new Problem(text.kernelTooBig(k, i, padded, before, after));
  const starts = [];
  for (let start = 0; start + k <= padded; start += s) starts.push(start);
  // How many windows cover each input pixel along the axis (the 2-D count is a product).
  const counts = new Array(i).fill(0);
  for (const start of starts) {
    for (let x = Math.max(start, before); x < Math.min(start + k, before + i); x++) {
      counts[x - before] += 1;
    }
  }
  return {
    input: i, kernel: k, stride: s, before, after, padded, starts, counts,
    output: starts.length,
    leftover: padded - (starts[starts.length - 1] + k),
    unvisited: counts.flatMap((count, index) => (count === 0 ? [index] : [])),
  };
}

// convbook.geometry.formula_text: the output-size formula with the numbers filled in.
export function formulaText(g) {
  const symmetric = g.before === g.after;
  const formula = symmetric ? "(i + 2p - k) / s" : "(i + p_before + p_after - k) / s";
  const numbers = symmetric
    ? `(${g.input} + 2*${g.before} - ${g.kernel}) / ${g.stride}`
    : `(${g.input} + ${g.before} + ${g.after} - ${g.kernel}) / ${g.stride}`;
  const span = g.padded - g.kernel;
  const quotient = Math.floor(span / g.stride);
  return (
    `o = floor(${formula}) + 1 = floor(${numbers}) + 1 = floor(${span} / ${g.stride}) + 1 ` +
    `= ${quotient} + 1 = ${g.output}`
  );
}

// convbook.geometry.keras_spelling for Conv2D: how to write the settings in Keras.
export function kerasSpelling(k, s, padding, text = geometryText.en) {
  const layer = `Conv2D(1, ${k}, strides=${s}, padding=`;
  if (padding === "valid" || padding === "same") return `${layer}'${padding}')`;
  return text.zerosThen(padding === "full" ? k - 1 : padding, `${layer}'valid')`);
}

// The message for a window number that does not exist, or "" (0 shows them all).
export function windowProblem(window, output, text = geometryText.en) {
  const positions = output * output;
  if (window >= 0 && window <= positions) return "";
  return positions === 1 ? text.onlyWindow(window) : text.noWindow(window, positions, output);
}

// The geometry of the explorer's settings, or a Problem: first a setting outside the controls'
// ranges (limits: [setting, label, low, high] from Python, the label in English; the message
// names the setting as the page's language does), then axisGeometry's messages.
export function explorerGeometry(settings, limits, text = geometryText.en) {
  const { padding } = settings;
  if (!PADDINGS.includes(padding)) throw new Problem(text.paddingName(repr(padding)));
  for (const [setting, , low, high] of limits) {
    const value = settings[setting];
    if (setting === "zeros" && padding !== "explicit") continue;
    if (!(value >= low && value <= high)) {
      throw new Problem(text.outOfRange(text.limits[setting], low, high, value));
    }
  }
  const chosen = padding === "explicit" ? settings.zeros : padding;
  return axisGeometry(settings.input_size, settings.kernel_size, settings.stride, chosen, text);
}

// Everything the explorer shows for `settings`, in the form GeometryExplorer.reference()
// computes it, or a Problem. keras: {sizes, shape, paddings}, Keras' output sizes precomputed
// in Python ([padding][i - 1][k - 1][s - 1], 0 for no output).
export function describe(settings, limits, keras, text = geometryText.en) {
  const g = explorerGeometry(settings, limits, text);
  const { window } = settings;
  const problem = windowProblem(window, g.output, text);
  if (problem) throw new Problem(problem);
  const { input: i, kernel: k, stride: s, padded: n, output: o } = g;
  const chosen = Math.max(window - 1, 0); // window 0 outlines the first window under the dots
  const [row, col] = [Math.floor(chosen / o), chosen % o];
  const [top, left] = [g.starts[row], g.starts[col]];
  const padding = settings.padding === "explicit" ? settings.zeros : settings.padding;
  const [, inputs, kernels, strides] = keras.shape;
  const index = keras.paddings.indexOf(String(padding));
  const entry = ((index * inputs + i - 1) * kernels + k - 1) * strides + s - 1;
  const kerasSize = keras.sizes[entry] || null;
  const visited = g.counts.filter((count) => count > 0).length;
  const marks = window ? text.windowMarks(window, o * o, top, left, k) : text.centreMarks(o * o);
  return {
    message: "",
    before: g.before,
    after: g.after,
    padded: n,
    output: o,
    starts: g.starts,
    leftover: g.leftover,
    unvisited: g.unvisited,
    coverage: g.counts.flatMap((across) => g.counts.map((along) => across * along)),
    outlined: [top, left],
    marked: window ? [row, col] : null,
    dots: window ? 0 : o * o,
    keras: kerasSize,
    agrees: kerasSize === o,
    captions: [text.inputCaption(i, n), text.outputCaption(o, window, row, col)],
    labels: [
      text.inputLabel(i, n, i * i - visited * visited, marks),
      text.outputLabel(o, window, row, col),
    ],
    lines: [
      text.paddingLine(g.before, g.after),
      formulaText(g),
      text.startsLine(g.starts, g.leftover),
      text.missedLine(g.unvisited),
      text.kerasLine(kerasSpelling(k, s, padding, text), i, kerasSize, kerasSize === o),
    ],
  };
}

// A 256-colour table (see drawGrid) with `low` below the middle and `high` above it.
function twoColours(low, high) {
  return Array.from({ length: 256 }, (_, index) => (index < 128 ? low : high));
}

// The padded input: zeros, the input's outline, the missed pixels, one window, the centres.
// `shown` is what describe() returned for `settings`; returns the cell size in pixels.
function drawInput(canvas, shown, settings, colours) {
  const { padded: n, before: b, starts } = shown;
  const { input_size: i, kernel_size: k, window } = settings;
  const cell = Math.max(12, Math.min(30, Math.floor(280 / n)));
  const values = new Float64Array(n * n);
  for (let r = b; r < b + i; r++) values.fill(1, r * n + b, r * n + b + i);
  const missed = new Array(i).fill(false);
  for (const index of shown.unvisited) missed[index] = true;
  const boxes = [];
  for (let r = 0; r < i; r++) {
    for (let c = 0; c < i; c++) {
      if (missed[r] || missed[c]) {
        boxes.push({
          row: b + r, col: b + c, fill: colours.unvisited, fillOpacity: 0.75, stroke: "none",
        });
      }
    }
  }
  boxes.push({ row: b, col: b, height: i, width: i, stroke: colours.outline, lineWidth: 2 });
  const [top, left] = shown.outlined;
  boxes.push({
    row: top, col: left, height: k, width: k, stroke: colours.window, fill: colours.window,
    lineWidth: 3,
  });
  drawGrid(canvas, {
    values, rows: n, cols: n, cell, colours: twoColours(colours.padding, colours.input),
    vmin: 0, vmax: 1, boxes, label: shown.labels[0],
  });
  // On top of the grid (drawGrid's own dots would sit under the zeros): a "0" in each padded
  // pixel when the cells are large enough to read it, then the window centres.
  const context = canvas.getContext("2d");
  const scale = canvas.width / (n * cell + 2);
  context.setTransform(scale, 0, 0, scale, scale, scale);
  if (cell >= 14 && n > i) {
    context.fillStyle = colours.zero;
    context.font = `${Math.floor(cell * 0.5)}px sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (values[r * n + c] === 0) context.fillText("0", (c + 0.5) * cell, (r + 0.5) * cell);
      }
    }
  }
  if (window === 0) {
    context.fillStyle = colours.centre;
    const radius = Math.max(2, cell * 0.18);
    for (const r of starts) {
      for (const c of starts) {
        context.beginPath();
        context.arc((c + k / 2) * cell, (r + k / 2) * cell, radius, 0, 2 * Math.PI);
        context.fill();
      }
    }
  }
  return cell;
}

// A key to the colours, one swatch each.
function colourKey(colours, text) {
  const entry = (colour, text, round = false) =>
    element("span", { style: "display:inline-flex;align-items:center;gap:0.35em" }, [
      element("span", {
        "aria-hidden": "true",
        style: `display:inline-block;width:0.9em;height:0.9em;border:1px solid #888888;` +
          `background:${colour};${round ? "border-radius:50%;" : ""}`,
      }),
      text,
    ]);
  const layout = "display:flex;flex-wrap:wrap;gap:0.2em 1em";
  return element("p", { className: "cb-note", style: layout }, [
    entry(colours.padding, text.zeroPadding),
    entry(colours.unvisited, text.neverInWindow),
    entry(colours.window, text.oneWindow),
    entry(colours.centre, text.windowCentres, true),
  ]);
}

function render({ model, el }) {
  const limits = model.get("limits");
  const colours = model.get("colours");
  const keras = {
    sizes: decodeArray(model.get("keras_sizes"), "uint8"),
    shape: model.get("keras_shape"),
    paddings: model.get("keras_paddings"),
  };
  const oranges = colourTable(model.get("palette").Oranges);
  const text = geometryText[pageLanguage(el)];
  const settingsNow = () =>
    Object.fromEntries(SETTINGS.map((key) => [key, model.get(key)]));
  const positions = (settings) => {
    try {
      return explorerGeometry(settings, limits, text).output ** 2;
    } catch (problem) {
      if (problem instanceof Problem) return null;
      throw problem;
    }
  };

  // A setting other than the window: if the chosen window no longer exists, move it to the
  // last one first (GeometryExplorer does the same in Python), so no redraw shows a message
  // the reader did not ask for.
  const change = (key) => (value) => {
    const last = positions({ ...settingsNow(), [key]: value });
    if (last !== null && model.get("window") > last) model.set("window", last);
    model.set(key, value);
    model.save_changes();
  };
  const sliders = Object.fromEntries(
    limits.map(([setting, , low, high]) => [
      setting,
      slider({
        label: text.limits[setting], setting, min: low, max: high, value: model.get(setting),
        onInput: change(setting),
      }),
    ]),
  );
  const paddingMenu = menu({
    label: text.padding, setting: "padding",
    options: PADDINGS.map((name) => [name, text.paddings[name]]),
    value: model.get("padding"), onChange: change("padding"),
  });
  const windowSlider = slider({
    label: text.window, setting: "window", min: 0, max: 1, value: model.get("window"),
    onInput: (value) => {
      model.set("window", value);
      model.save_changes();
    },
  });

  const inputCanvas = element("canvas");
  const outputCanvas = element("canvas");
  const inputFigure = figure(inputCanvas);
  const outputFigure = figure(outputCanvas);
  const lines = element("div", { className: "cb-lines" });
  const picture = element("div", {}, [
    element("div", { className: "cb-figures" }, [inputFigure.node, outputFigure.node]),
    colourKey(colours, text),
    lines,
  ]);

  function sync() {
    const settings = settingsNow();
    for (const [setting] of limits) sliders[setting].set(settings[setting]);
    sliders.zeros.input.disabled = settings.padding !== "explicit";
    paddingMenu.set(settings.padding);
    // The window slider reaches one past the last window, to show why there is no more; while
    // the settings give no output it keeps its range. It always holds the model's value.
    const last = positions(settings);
    const high = last === null ? Number(windowSlider.input.max) : last + 1;
    windowSlider.range(0, Math.max(high, settings.window));
    windowSlider.set(settings.window);
  }

  function redraw() {
    const settings = settingsNow();
    const shown = describe(settings, limits, keras, text);
    const cell = drawInput(inputCanvas, shown, settings, colours);
    const o = shown.output;
    const marks = shown.marked && {
      row: shown.marked[0], col: shown.marked[1], stroke: colours.output, fill: colours.window,
      lineWidth: 3,
    };
    drawGrid(outputCanvas, {
      values: new Float64Array(o * o).fill(0.15), rows: o, cols: o, cell, colours: oranges,
      vmin: 0, vmax: 1, boxes: marks ? [marks] : [], label: shown.labels[1],
    });
    inputFigure.caption(shown.captions[0]);
    outputFigure.caption(shown.captions[1]);
    lines.textContent = shown.lines.join("\n");
    return shown;
  }

  return mountExplorer({
    model, el, name: "geometry", picture, redraw, sync,
    controls: [
      sliders.input_size.field, sliders.kernel_size.field, paddingMenu.field, sliders.zeros.field,
      sliders.stride.field, windowSlider.field,
    ],
  });
}

export default { render };
