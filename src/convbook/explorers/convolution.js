// The convolution explorer: slide a 3x3 window over a digit and watch each output pixel being
// computed. Python side: convbook/explorers/convolution.py (which also computes, with NumPy,
// what this module must show: the browser tests compare the two).
import {
  Problem, decodeArray, colourTable, drawGrid, element, figure, formatFixed, menu, mountExplorer,
  numberTable, setter, slider, textBox,
} from "./common.js";
import { responseMap } from "./convmath.js";

const SIZE = 3; // the kernel is 3x3
const EXAMPLE = "for example '1 0 -1; 1 0 -1; 1 0 -1'";
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

function parseNumber(token, row) {
  const parts = token.split("/");
  if (parts.length > 2 || !parts.every((part) => NUMBER.test(part))) {
    throw new Problem(
      `Row ${row} has '${token}', which is not a number: write numbers like 2, -0.5, 1e-2 or 1/9.`,
    );
  }
  let value = Number(parts[0]);
  if (parts.length === 2) {
    const divisor = Number(parts[1]);
    if (divisor === 0) throw new Problem(`Row ${row} has '${token}', which divides by zero.`);
    value /= divisor;
  }
  if (!Number.isFinite(value)) {
    throw new Problem(`Row ${row} has '${token}', which is too large to be a kernel weight.`);
  }
  return value;
}

// convbook.convolution.parse_kernel: "a b c; d e f; g h i" -> 9 numbers, row by row.
export function parseKernel(text) {
  const rowsText = text.trim().split(/[;\n]/).map((row) => row.trim());
  if (rowsText.length > 1 && rowsText[rowsText.length - 1] === "") rowsText.pop();
  if (!rowsText.some((row) => row !== "")) {
    throw new Problem(
      `Type the ${SIZE * SIZE} weights of the ${SIZE}x${SIZE} kernel as ${SIZE} rows ` +
        `separated by ';', ${EXAMPLE}.`,
    );
  }
  if (rowsText.length !== SIZE) {
    throw new Problem(
      `The kernel needs ${SIZE} rows separated by ';' but has ${rowsText.length}, ${EXAMPLE}.`,
    );
  }
  const weights = [];
  rowsText.forEach((rowText, index) => {
    const tokens = rowText.split(/[\s,]+/).filter((token) => token !== "");
    if (tokens.length !== SIZE) {
      const numbers = tokens.length === 1 ? "1 number" : `${tokens.length} numbers`;
      throw new Problem(`Row ${index + 1} of the kernel has ${numbers}; each row needs ${SIZE}.`);
    }
    for (const token of tokens) weights.push(parseNumber(token, index + 1));
  });
  return weights;
}

// The message for a window whose top-left corner is at (row, col), or "" when it fits.
export function positionProblem(row, col, height, width) {
  for (const [axis, value, size, count] of [
    ["row", row, height, "rows"],
    ["column", col, width, "columns"],
  ]) {
    const last = size - SIZE;
    if (value < 0 || value > last) {
      return (
        `A ${SIZE}x${SIZE} window whose top-left corner is in ${axis} ${value} would cover ` +
        `${count} ${value} to ${value + SIZE - 1}, past the edge of the ${size}-${axis} image. ` +
        `The last ${axis} where it fits is ${last}, which is why the response map has ` +
        `${last + 1} ${count}.`
      );
    }
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

  const digitMenu = menu({
    label: "digit",
    setting: "digit",
    options: Array.from({ length: count }, (_, i) => [
      String(i), labels.length ? `#${i}: a ${labels[i]}` : `#${i}`,
    ]),
    value: String(model.get("digit")),
    onChange: (value) => setter(model, "digit")(Number(value)),
  });
  const kernelMenu = menu({
    label: "kernel",
    setting: "kernel",
    options: [...presets.map(([name]) => [name, name]), [own, own]],
    value: model.get("kernel"),
    onChange: (name) => {
      if (name !== own) model.set("weights", presets.find(([preset]) => preset === name)[1]);
      setter(model, "kernel")(name);
    },
  });
  const weightsBox = textBox({
    label: "3x3 weights",
    setting: "weights",
    value: model.get("weights"),
    placeholder: "a b c; d e f; g h i",
    onChange: (text) => {
      const preset = presets.find(([name]) => name === model.get("kernel"));
      if (preset && preset[1] !== text) model.set("kernel", own);
      setter(model, "weights")(text);
    },
  });
  const rowSlider = slider({
    label: "window row", setting: "row", min: 0, max: height - SIZE + 1, value: model.get("row"),
    onInput: setter(model, "row"),
  });
  const colSlider = slider({
    label: "window column", setting: "col", min: 0, max: width - SIZE + 1, value: model.get("col"),
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
      throw new Problem(`There is no digit #${digit}: choose one of #0 to #${count - 1}.`);
    }
    const kernel = parseKernel(model.get("weights"));
    const row = model.get("row");
    const col = model.get("col");
    const problem = positionProblem(row, col, height, width);
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
      `input ${height}x${width}, window at (${row}, ${col})`,
      `response map ${response.rows}x${response.cols} (red +, blue -, grey: not yet)`,
    ];
    drawGrid(inputCanvas, {
      values: pixels, rows: height, cols: width, cell: 10, colours: ink, vmin: 0,
      vmax: Math.max(Math.max(...pixels), 1),
      boxes: [{ row, col, height: SIZE, width: SIZE, stroke: windowColour, fill: windowColour, fillOpacity: 0.25 }],
      label: `digit with a ${SIZE}x${SIZE} window at row ${row}, column ${col}`,
    });
    drawGrid(responseCanvas, {
      values: partial, rows: response.rows, cols: response.cols, cell: 10, colours: signed,
      vmin: -limit, vmax: limit, missing: notYet,
      boxes: [{ row, col, stroke: outputColour, lineWidth: 1.5 }],
      label: `response map computed up to row ${row}, column ${col}`,
    });
    inputFigure.caption(captions[0]);
    responseFigure.caption(captions[1]);
    const kernelLimit = 1.8 * largestSize(kernel);
    const productLimit = 1.8 * largestSize(products);
    const tables = [
      ["patch", "patch values", patch, ink, -0.15 * top, 1.6 * top],
      ["× kernel", "kernel weights", kernel, signed, -kernelLimit, kernelLimit],
      ["= element-wise products", "element-wise products", products, signed, -productLimit, productLimit],
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
      `Sum of the ${products.length} products: `,
      element("b", { text: sumText }),
      `, the response at row ${row}, column ${col} (black square on the map).`,
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
