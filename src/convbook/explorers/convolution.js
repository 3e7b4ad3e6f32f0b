// The convolution explorer: slide a 3x3 window over a digit and watch each output pixel being
// computed. Python side: convbook/explorers/convolution.py (which also computes, with NumPy,
// what this module must show: the browser tests compare the two).
import {
  Problem, decodeArray, colourTable, drawGrid, element, figure, formatFixed, menu, mountExplorer,
  numberTable, pageLanguage, setter, slider, textBox,
} from "./common.js";
import { convolutionText } from "./convolution.text.js";
import { responseMap } from "./convmath.js";

const SIZE = 3; // the kernel is 3x3
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// convbook.convolution.format_number: integers without decimals, others to 2 or fewer.
export function formatNumber(value) {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (Math.abs(value - pythonRound(value)) < 1e-9) return formatFixed(pythonRound(value), 0);
  if (Math.abs(value) >= 100) return formatFixed(value, 0);
  if (Math.abs(value) >= 10) return formatFixed(value, 1);
  return formatFixed(value, 2);
}

// Python's round(x) to an integer: ties to even.
function pythonRound(x) {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor === 0 && Object.is(x, -0) ? 0 : floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function parseNumber(token, row, text) {
  const parts = token.split("/");
  if (parts.length > 2 || !parts.every((part) => NUMBER.test(part))) {
    throw new Problem(text.notNumber(row, token));
  }
  let value = Number(parts[0]);
  if (parts.length === 2) {
    const divisor = Number(parts[1]);
    if (divisor === 0) throw new Problem(text.dividesByZero(row, token));
    value /= divisor;
  }
  if (!Number.isFinite(value)) throw new Problem(text.tooLarge(row, token));
  return value;
}

// convbook.convolution.parse_kernel: "a b c; d e f; g h i" -> 9 numbers, row by row. `text` is
// the explorer's texts in the page's language (convolution.text.js).
export function parseKernel(typed, text = convolutionText.en) {
  const rowsText = typed.trim().split(/[;\n]/).map((row) => row.trim());
  if (rowsText.length > 1 && rowsText[rowsText.length - 1] === "") rowsText.pop();
  if (!rowsText.some((row) => row !== "")) throw new Problem(text.typeWeights(SIZE));
  if (rowsText.length !== SIZE) throw new Problem(text.rowCount(SIZE, rowsText.length));
  const weights = [];
  rowsText.forEach((rowText, index) => {
    const tokens = rowText.split(/[\s,]+/).filter((token) => token !== "");
    if (tokens.length !== SIZE) throw new Problem(text.numberCount(index + 1, tokens.length, SIZE));
    for (const token of tokens) weights.push(parseNumber(token, index + 1, text));
  });
  return weights;
}

// The message for a window whose top-left corner is at (row, col), or "" when it fits.
export function positionProblem(row, col, height, width, text = convolutionText.en) {
  for (const [axis, value, side] of [["row", row, height], ["column", col, width]]) {
    const last = side - SIZE;
    if (value < 0 || value > last) return text.pastEdge(axis, SIZE, value, side, last);
  }
  return "";
}

function largestSize(values) {
  let top = 0;
  for (const value of values) if (Number.isFinite(value)) top = Math.max(top, Math.abs(value));
  return top > 0 ? top : 1;
}

function render({ model, el }) {
  const [count, height, width] = model.get("shape");
  const image = (index) =>
    decodeArray(model.get("images"), model.get("dtype")).subarray(
      index * height * width, (index + 1) * height * width,
    );
  let pixels = null;
  let shownDigit = -1;
  const presets = model.get("presets");
  const own = model.get("own_kernel");
  const labels = model.get("labels");
  const text = convolutionText[pageLanguage(el)];

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
    options: [...presets.map(([name]) => name), own].map((name) => [name, text.kernels[name] ?? name]),
    value: model.get("kernel"),
    onChange: (name) => {
      if (name !== own) model.set("weights", presets.find(([preset]) => preset === name)[1]);
      setter(model, "kernel")(name);
    },
  });
  const weightsBox = textBox({
    label: text.weights,
    setting: "weights",
    value: model.get("weights"),
    placeholder: "a b c; d e f; g h i",
    onChange: (typed) => {
      const preset = presets.find(([name]) => name === model.get("kernel"));
      if (preset && preset[1] !== typed) model.set("kernel", own);
      setter(model, "weights")(typed);
    },
  });
  const rowSlider = slider({
    label: text.windowRow, setting: "row", min: 0, max: height - SIZE + 1, value: model.get("row"),
    onInput: setter(model, "row"),
  });
  const colSlider = slider({
    label: text.windowColumn, setting: "col", min: 0, max: width - SIZE + 1, value: model.get("col"),
    onInput: setter(model, "col"),
  });

  const inputCanvas = element("canvas");
  const responseCanvas = element("canvas");
  const inputFigure = figure(inputCanvas);
  const responseFigure = figure(responseCanvas);
  const arithmetic = element("div", { className: "cb-figures" });
  const sumLine = element("p", { className: "cb-note" });
  const picture = element("div", {}, [
    element("div", { className: "cb-figures" }, [inputFigure.node, responseFigure.node]),
    arithmetic,
    sumLine,
  ]);
  // The book's visual language (convbook.style), sent by Python.
  const ink = colourTable(model.get("palette")[model.get("ink_cmap")]);
  const signed = colourTable(model.get("palette")[model.get("signed_cmap")]);
  const notYet = model.get("not_yet_colour");
  const windowColour = model.get("window_colour");
  const outputColour = model.get("output_colour");

  function sync() {
    digitMenu.set(String(model.get("digit")));
    kernelMenu.set(model.get("kernel"));
    weightsBox.set(model.get("weights"));
    rowSlider.set(model.get("row"));
    colSlider.set(model.get("col"));
  }

  function redraw() {
    const digit = model.get("digit");
    if (!(Number.isInteger(digit) && digit >= 0 && digit < count)) {
      throw new Problem(text.noDigit(digit, count - 1));
    }
    const kernel = parseKernel(model.get("weights"), text);
    const row = model.get("row");
    const col = model.get("col");
    const problem = positionProblem(row, col, height, width, text);
    if (problem) throw new Problem(problem);
    if (digit !== shownDigit) {
      pixels = Float64Array.from(image(digit));
      shownDigit = digit;
    }
    const response = responseMap(pixels, height, width, kernel);
    const patch = [];
    for (let i = 0; i < SIZE; i++) {
      for (let j = 0; j < SIZE; j++) patch.push(pixels[(row + i) * width + col + j]);
    }
    const products = patch.map((value, i) => value * kernel[i]);
    const total = products.reduce((sum, value) => sum + value, 0);
    const reached = row * response.cols + col;
    const partial = response.values.map((value, i) => (i <= reached ? value : NaN));
    const limit = largestSize(response.values);
    const top = Math.max(largestSize(pixels), 1);
    const captions = [
      text.inputCaption(height, width, row, col),
      text.responseCaption(response.rows, response.cols),
    ];
    drawGrid(inputCanvas, {
      values: pixels, rows: height, cols: width, cell: 10, colours: ink, vmin: 0,
      vmax: Math.max(Math.max(...pixels), 1),
      boxes: [{ row, col, height: SIZE, width: SIZE, stroke: windowColour, fill: windowColour, fillOpacity: 0.25 }],
      label: text.inputLabel(SIZE, row, col),
    });
    drawGrid(responseCanvas, {
      values: partial, rows: response.rows, cols: response.cols, cell: 10, colours: signed,
      vmin: -limit, vmax: limit, missing: notYet,
      boxes: [{ row, col, stroke: outputColour, lineWidth: 1.5 }],
      label: text.responseLabel(row, col),
    });
    inputFigure.caption(captions[0]);
    responseFigure.caption(captions[1]);
    const kernelLimit = 1.8 * largestSize(kernel);
    const productLimit = 1.8 * largestSize(products);
    const tables = [
      [text.patch, text.patchLabel, patch, ink, -0.15 * top, 1.6 * top],
      [text.timesKernel, text.kernelLabel, kernel, signed, -kernelLimit, kernelLimit],
      [text.products, text.productsLabel, products, signed, -productLimit, productLimit],
    ];
    arithmetic.replaceChildren(
      ...tables.map(([caption, label, values, colours, vmin, vmax]) =>
        figure(
          numberTable({ values, rows: SIZE, cols: SIZE, colours, vmin, vmax, format: formatNumber, label }),
          caption,
        ).node,
      ),
    );
    const sumText = formatNumber(total);
    sumLine.replaceChildren(
      text.sumOf(products.length),
      element("b", { text: sumText }),
      text.sumIs(row, col),
    );
    return {
      kernel, patch, products, sum: total, sumText, captions,
      response: Array.from(response.values), shape: [response.rows, response.cols],
      cells: tables.map(([, , values]) => values.map(formatNumber)),
    };
  }

  return mountExplorer({
    model, el, name: "convolution", picture,
    controls: [digitMenu.field, kernelMenu.field, weightsBox.field, rowSlider.field, colSlider.field],
    redraw, sync,
  });
}

export default { render };
