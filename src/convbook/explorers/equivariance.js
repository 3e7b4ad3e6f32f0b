// The equivariance explorer: shift a digit (drag it, or use the sliders) and see whether the
// map of a convolution, a stride-2 convolution or a convolution + 2x2 max pooling moves with it.
// Python side: convbook/explorers/equivariance.py, which computes the same picture with
// convbook.connectivity.compare_shift (NumPy); the tests compare the two.
import {
  Problem, colourTable, decodeArray, drawGrid, element, figure, formatFixed, menu, mountExplorer,
  pageLanguage, setter, slider,
} from "./common.js";
import { responseMap } from "./convmath.js";
import { equivarianceText } from "./equivariance.text.js";

// convbook.connectivity.LAYERS: the step, in input pixels, between two cells of each map.
export const LAYERS = {
  "convolution": 1,
  "stride-2 convolution": 2,
  "convolution + 2x2 max pooling": 2,
};

const DIGIT_CELL = 5; // px per pixel of the digit
const MAP_SIDE = 132; // px of a map's side, whatever its size

// convbook.connectivity.shift: values[r * width + c] moved dy down and dx right, `fill` coming in.
export function shiftImage(values, height, width, dy, dx, fill = 0) {
  const out = new Float64Array(height * width).fill(fill);
  for (let r = 0; r < height; r++) {
    const from = r - dy;
    if (from < 0 || from >= height) continue;
    for (let c = 0; c < width; c++) {
      const source = c - dx;
      if (source >= 0 && source < width) out[r * width + c] = values[from * width + source];
    }
  }
  return out;
}

// 2x2 max pooling with stride 2 ("valid"), as convbook.ops.pool2d(x, 2).
function maxPool2(values, rows, cols) {
  const outRows = Math.floor(rows / 2);
  const outCols = Math.floor(cols / 2);
  const out = new Float64Array(outRows * outCols);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      const top = 2 * r * cols + 2 * c;
      out[r * outCols + c] = Math.max(
        values[top], values[top + 1], values[top + cols], values[top + cols + 1],
      );
    }
  }
  return { values: out, rows: outRows, cols: outCols };
}

// The message for a layer that does not exist (convbook.connectivity.layer_map), in the
// language of `text` (equivariance.text.js).
function layerProblem(layer, text) {
  return text.noLayer(layer, Object.keys(LAYERS).map((name) => text.layers[name]));
}

// convbook.connectivity.layer_map: the map of a one-channel image through one of LAYERS.
export function layerMap(image, height, width, kernel, layer, text = equivarianceText.en) {
  if (!(layer in LAYERS)) {
    throw new Problem(layerProblem(layer, text));
  }
  const response = responseMap(image, height, width, kernel);
  if (layer === "convolution") return response;
  if (layer === "convolution + 2x2 max pooling") {
    return maxPool2(response.values, response.rows, response.cols);
  }
  // Stride 2: the windows whose top-left corners are on even rows and columns.
  const rows = Math.floor((response.rows - 1) / 2) + 1;
  const cols = Math.floor((response.cols - 1) / 2) + 1;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = response.values[2 * r * response.cols + 2 * c];
    }
  }
  return { values: out, rows, cols };
}

// convbook.connectivity.shift_problem.
export function shiftProblem(dy, dx, height, width, text = equivarianceText.en) {
  for (const [axis, value, side] of [["row", dy, height], ["column", dx, width]]) {
    if (Math.abs(value) >= side) return text.shiftOut(axis, value, side);
  }
  return "";
}

// convbook.connectivity.compare_shift: the map of the shifted image beside the map of the
// image moved by the same number of cells (NaN where the moved map has no value).
export function compareShift(
  image, height, width, kernel, layer, dy, dx, text = equivarianceText.en,
) {
  if (!(layer in LAYERS)) {
    throw new Problem(layerProblem(layer, text));
  }
  const problem = shiftProblem(dy, dx, height, width, text);
  if (problem) throw new Problem(problem);
  const step = LAYERS[layer];
  const shifted = shiftImage(image, height, width, dy, dx, 0);
  const response = layerMap(shifted, height, width, kernel, layer);
  const original = layerMap(image, height, width, kernel, layer);
  const outputShift = [Math.floor(dy / step), Math.floor(dx / step)];
  const moved = shiftImage(original.values, original.rows, original.cols, ...outputShift, NaN);
  let compared = 0;
  let largest = 0;
  for (let i = 0; i < moved.length; i++) {
    if (Number.isNaN(moved[i])) continue;
    compared += 1;
    largest = Math.max(largest, Math.abs(response.values[i] - moved[i]));
  }
  return {
    shifted, response: response.values, moved, rows: response.rows, cols: response.cols,
    shift: [dy, dx], outputShift, step, exact: dy % step === 0 && dx % step === 0, compared,
    largest,
  };
}

// convbook.connectivity.describe_shift.
export function describeShift(shown, text = equivarianceText.en) {
  const { shift: [dy, dx], outputShift: [ty, tx], step, exact, compared, largest } = shown;
  const opening = exact ? text.whole(dy, dx, ty, tx, step) : text.notWhole(dy, dx, step);
  if (compared === 0) return `${opening} ${text.nothingLeft}`;
  const verdict = text.compared(exact, ty, tx, compared, formatFixed(largest, 0), largest === 0);
  return `${opening} ${verdict}`;
}

// The captions of the four pictures (EquivarianceExplorer.reference in Python).
export function captions(shown, text = equivarianceText.en) {
  const { shift: [dy, dx], outputShift: [ty, tx], rows, cols } = shown;
  return [
    text.shiftedCaption(dy, dx), text.mapCaption(rows, cols), text.movedCaption(ty, tx),
    text.differenceCaption,
  ];
}

// What the page reports for a comparison (explorers/equivariance.py shift_report): the tests
// compare it with Python's.
export function reportOf(shown, text = equivarianceText.en) {
  return {
    shifted: Array.from(shown.shifted), response: Array.from(shown.response),
    moved: Array.from(shown.moved), shape: [shown.rows, shown.cols],
    outputShift: shown.outputShift, exact: shown.exact, compared: shown.compared,
    largest: shown.largest, sentence: describeShift(shown, text), captions: captions(shown, text),
  };
}

// The report for one setting, computed from scratch (for the tests in Node).
export function shiftReport(image, height, width, kernel, layer, dy, dx) {
  return reportOf(compareShift(image, height, width, kernel, layer, dy, dx));
}

function largestSize(...arrays) {
  let top = 0;
  for (const values of arrays) {
    for (const value of values) if (Number.isFinite(value)) top = Math.max(top, Math.abs(value));
  }
  return top > 0 ? top : 1;
}

function render({ model, el }) {
  const [count, height, width] = model.get("shape");
  const all = decodeArray(model.get("images"), model.get("dtype"));
  const image = (index) =>
    Float64Array.from(all.subarray(index * height * width, (index + 1) * height * width));
  const labels = model.get("labels");
  const kernelNames = model.get("kernel_names");
  const kernelWeights = model.get("kernel_weights");
  const layerNames = Object.keys(LAYERS);
  const palette = model.get("palette");
  const ink = colourTable(palette[model.get("ink_cmap")]);
  const signed = colourTable(palette[model.get("signed_cmap")]);
  const noValue = model.get("no_value_colour");
  const frame = model.get("frame_colour");
  const limit = 28;
  const text = equivarianceText[pageLanguage(el)];
  const kernelName = (name) => text.kernels[name] ?? name;

  const digitMenu = menu({
    label: text.digit,
    setting: "digit",
    options: Array.from({ length: count }, (_, i) => [
      String(i), labels.length ? text.digitOption(i, labels[i]) : `#${i}`,
    ]),
    value: String(model.get("digit")),
    onChange: (value) => setter(model, "digit")(Number(value)),
  });
  const kernelMenu = menu({
    label: text.kernel,
    setting: "kernel",
    options: kernelNames.map((name) => [name, kernelName(name)]),
    value: model.get("kernel"),
    onChange: setter(model, "kernel"),
  });
  const layerMenu = menu({
    label: text.layer,
    setting: "layer",
    options: layerNames.map((name) => [name, text.layers[name]]),
    value: model.get("layer"),
    onChange: setter(model, "layer"),
  });
  const rowSlider = slider({
    label: text.shiftDown, setting: "dy", min: -limit, max: limit, value: model.get("dy"),
    onInput: setter(model, "dy"),
  });
  const colSlider = slider({
    label: text.shiftRight, setting: "dx", min: -limit, max: limit, value: model.get("dx"),
    onInput: setter(model, "dx"),
  });

  const canvases = [0, 1, 2, 3].map(() => element("canvas"));
  const figures = canvases.map((canvas) => figure(canvas));
  // Captions as wide as the pictures, so that two pictures fit side by side on a phone.
  for (const shownFigure of figures) shownFigure.node.style.maxWidth = `${MAP_SIDE + 22}px`;
  const sentence = element("p", { className: "cb-note" });
  const picture = element("div", {}, [
    element("div", { className: "cb-figures" }, figures.map((shown) => shown.node)),
    sentence,
  ]);

  // Drag the digit: every whole pixel the pointer moves shifts it by one pixel.
  const digitCanvas = canvases[0];
  digitCanvas.style.cursor = "grab";
  let drag = null;
  digitCanvas.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY, dy: model.get("dy"), dx: model.get("dx") };
    digitCanvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  digitCanvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const shownWidth = digitCanvas.getBoundingClientRect().width;
    const pixel = (shownWidth / (width * DIGIT_CELL + 2)) * DIGIT_CELL;
    const clamp = (value) => Math.max(-limit, Math.min(limit, value));
    const dy = clamp(drag.dy + Math.round((event.clientY - drag.y) / pixel));
    const dx = clamp(drag.dx + Math.round((event.clientX - drag.x) / pixel));
    if (dy !== model.get("dy") || dx !== model.get("dx")) {
      model.set("dy", dy);
      model.set("dx", dx);
      model.save_changes();
    }
  });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    digitCanvas.addEventListener(type, () => (drag = null));
  }

  function sync() {
    digitMenu.set(String(model.get("digit")));
    kernelMenu.set(model.get("kernel"));
    layerMenu.set(model.get("layer"));
    // The range is -28 to 28, widened to hold a shift set from Python, so that the slider
    // always shows the shift the message talks about.
    for (const [control, key] of [[rowSlider, "dy"], [colSlider, "dx"]]) {
      const value = model.get(key);
      control.range(Math.min(-limit, value), Math.max(limit, value));
      control.set(value);
    }
  }

  function redraw() {
    const digit = model.get("digit");
    if (!(Number.isInteger(digit) && digit >= 0 && digit < count)) {
      throw new Problem(text.noDigit(digit, count - 1));
    }
    const kernelIndex = kernelNames.indexOf(model.get("kernel"));
    if (kernelIndex < 0) {
      throw new Problem(text.noKernel(model.get("kernel"), kernelNames.map(kernelName)));
    }
    const layer = model.get("layer");
    const dy = model.get("dy");
    const dx = model.get("dx");
    const pixels = image(digit);
    const weights = kernelWeights[kernelIndex];
    const shown = compareShift(pixels, height, width, weights, layer, dy, dx, text);
    const { rows, cols } = shown;
    const report = reportOf(shown, text);
    const texts = report.captions;
    const difference = shown.response.map((value, i) => value - shown.moved[i]);
    const top = largestSize(shown.response, shown.moved);
    const cell = Math.max(2, Math.floor(MAP_SIDE / Math.max(rows, cols)));
    drawGrid(digitCanvas, {
      values: shown.shifted, rows: height, cols: width, cell: DIGIT_CELL, colours: ink, vmin: 0,
      vmax: Math.max(...pixels, 1), gridlines: false,
      boxes: [{ row: dy, col: dx, height, width, stroke: frame, lineWidth: 2, dashed: true }],
      label: text.digitLabel(dy, dx),
    });
    const maps = [
      [shown.response, text.mapLabel(rows, cols)],
      [shown.moved, text.movedLabel(...shown.outputShift)],
      [difference, text.differenceLabel],
    ];
    maps.forEach(([values, label], index) => {
      drawGrid(canvases[index + 1], {
        values, rows, cols, cell, colours: signed, vmin: -top, vmax: top, missing: noValue,
        gridlines: false, label,
      });
    });
    figures.forEach((shownFigure, index) => shownFigure.caption(texts[index]));
    sentence.textContent = report.sentence;
    return report;
  }

  return mountExplorer({
    model, el, name: "equivariance", picture,
    controls: [
      digitMenu.field, kernelMenu.field, layerMenu.field, rowSlider.field, colSlider.field,
    ],
    redraw, sync,
  });
}

export default { render };
