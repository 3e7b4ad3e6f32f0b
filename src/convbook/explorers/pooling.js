// The pooling explorer: pool one channel of a real feature map with any pool size, stride and
// mode, and see every window, the pixel each keeps and what falls in none. Python side:
// convbook/explorers/pooling.py (which also computes, with convbook.pooling.pool_map, what this
// module must show: the tests compare the two).
import {
  Problem, colourOf, colourTable, decodeArray, drawGrid, element, figure, formatFixed, inkOn, menu,
  mountExplorer, pageLanguage, setter, slider,
} from "./common.js";
import { poolingText } from "./pooling.text.js";

const PANEL = 260; // px per picture: the two fit side by side in the book's column
const PRINTED = 18; // px: the smallest output cell with room for a printed value
const WINDOWS = "#ffffff"; // every window's outline; the book's colours come from Python

// convbook.pooling.compact_number: a value in at most four characters (0, .23, 1.2, 12).
export function compactNumber(value) {
  if (value === 0) return "0";
  if (Math.abs(value) >= 9.95) return formatFixed(value, 0);
  if (Math.abs(value) >= 0.995) return formatFixed(value, 1);
  return formatFixed(value, 2).replace("0.", ".");
}

// The message of convbook.pooling.pool_map for impossible settings, or "" (same checks, same
// order), in the language of `text` (pooling.text.js).
function poolProblem(height, width, poolSize, stride, mode, text) {
  if (mode !== "max" && mode !== "average") return text.badMode(mode);
  if (poolSize < 1) return text.poolTooSmall(poolSize);
  if (stride < 1) return text.strideTooSmall(stride);
  const side = Math.min(height, width);
  if (poolSize > side) return text.poolTooBig(poolSize, height, width, side);
  return "";
}

// convbook.pooling.pool_map: pool a height x width map (values[r * width + c]) with square
// windows, "valid". For max pooling, `kept` holds the [row, col] of the value each window keeps:
// the first maximum in reading order, as numpy's argmax finds it.
export function poolMap(values, height, width, poolSize, stride, mode, text = poolingText.en) {
  const problem = poolProblem(height, width, poolSize, stride, mode, text);
  if (problem) throw new Problem(problem);
  const rows = Math.floor((height - poolSize) / stride) + 1;
  const cols = Math.floor((width - poolSize) / stride) + 1;
  const output = new Float64Array(rows * cols);
  const kept = mode === "max" ? [] : null;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const top = r * stride;
      const left = c * stride;
      let best = values[top * width + left];
      let bestAt = [top, left];
      let total = 0;
      for (let i = top; i < top + poolSize; i++) {
        for (let j = left; j < left + poolSize; j++) {
          const value = values[i * width + j];
          total += value;
          if (value > best) {
            best = value;
            bestAt = [i, j];
          }
        }
      }
      if (kept) {
        output[r * cols + c] = best;
        kept.push(bestAt);
      } else {
        output[r * cols + c] = total / (poolSize * poolSize);
      }
    }
  }
  const covered = [(rows - 1) * stride + poolSize, (cols - 1) * stride + poolSize];
  return { output, rows, cols, kept, covered };
}

// Pixels per cell of the map and of the pooled output (explorers/pooling.py values_printed
// follows the second).
function cellSizes(height, width, rows, cols) {
  return [
    Math.max(4, Math.min(24, Math.floor(PANEL / Math.max(height, width)))),
    Math.max(4, Math.min(30, Math.floor(PANEL / Math.max(rows, cols)))),
  ];
}

// The message for a layer or channel that does not exist (explorers/pooling.py current_map).
function channelProblem(layers, layer, channel, text) {
  const found = layers.find((candidate) => candidate.name === layer);
  if (!found) return text.noLayer(layer, layers.map((candidate) => candidate.name));
  const channels = found.shape[2];
  if (!(channel >= 0 && channel < channels)) return text.noChannel(layer, channels, channel);
  return "";
}

// Everything the explorer shows for `settings` (the model's traits by name), from the layers
// [{name, shape: [height, width, channels], values (height x width x channels, flat)}].
// `report` is what the page reports, the same as PoolingExplorer.reference() in Python (its
// texts in the language of `text`).
export function explore(layers, settings, text = poolingText.en) {
  const { layer, channel, pool_size: poolSize, stride, mode } = settings;
  const problem = channelProblem(layers, layer, channel, text);
  if (problem) throw new Problem(problem);
  const found = layers.find((candidate) => candidate.name === layer);
  const [height, width, channels] = found.shape;
  const values = new Float32Array(height * width);
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    values[i] = found.values[i * channels + channel];
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  const pooled = poolMap(values, height, width, poolSize, stride, mode, text);
  const { rows, cols, covered } = pooled;
  const [cellIn, cellOut] = cellSizes(height, width, rows, cols);
  const count = rows * cols;
  const ignored = [height - covered[0], width - covered[1]];
  const left = text.ignored(...ignored);
  const summary =
    text.summary(height, width, rows, cols, count, poolSize, stride, mode) + (left ? ` ${left}` : "");
  const report = {
    output: Array.from(pooled.output),
    shape: [rows, cols],
    kept: pooled.kept,
    covered,
    ignored,
    summary,
    captions: [
      text.mapCaption(layer, channel, height, width),
      text.outputCaption(rows, cols, mode),
    ],
    legend: text.legend(mode),
    cells: cellOut >= PRINTED ? Array.from(pooled.output, compactNumber) : [],
  };
  return { report, values, height, width, low, high, pooled, cellIn, cellOut };
}

// The outlines on the map: every window, the ignored strips, the first window.
function mapBoxes({ pooled, height, width }, poolSize, stride, colours) {
  const { rows, cols, covered } = pooled;
  const boxes = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      boxes.push({
        row: r * stride, col: c * stride, height: poolSize, width: poolSize, stroke: WINDOWS,
        lineWidth: 1,
      });
    }
  }
  // In the book's colour for pixels no window reads, as a veil that lets the values show
  // through, with a dashed edge.
  const shade = {
    stroke: colours.unvisited, fill: colours.unvisited, fillOpacity: 0.6, lineWidth: 1,
    dashed: true,
  };
  if (covered[0] < height) {
    boxes.push({ ...shade, row: covered[0], col: 0, height: height - covered[0], width });
  }
  if (covered[1] < width) {
    // Down to the row strip only, so that the corner they share is not shaded twice.
    boxes.push({
      ...shade, row: 0, col: covered[1], height: covered[0], width: width - covered[1],
    });
  }
  boxes.push({
    row: 0, col: 0, height: poolSize, width: poolSize, stroke: colours.window, lineWidth: 3,
  });
  return boxes;
}

// A dot on each kept pixel, in the colour of the output (ringed in white, to show on the dark
// end of the colour map): small enough that the pixel's colour still shows around it, even
// when overlapping windows keep most of the map. Windows that keep the same pixel share a dot.
function keptDots({ pooled, width, cellIn }, colours) {
  const cells = new Set((pooled.kept ?? []).map(([r, c]) => r * width + c));
  const radius = Math.max(2, 0.25 * cellIn);
  return Array.from(cells).flatMap((cell) => {
    const x = (cell % width) + 0.5;
    const y = Math.floor(cell / width) + 0.5;
    return [
      { x, y, radius: radius + 1, fill: WINDOWS },
      { x, y, radius, fill: colours.output },
    ];
  });
}

// Print `texts` in the cells of a grid drawGrid has just drawn, in black or white to read well.
function printValues(canvas, { values, rows, cols, cell, colours, vmin, vmax, texts }) {
  const context = canvas.getContext("2d");
  const scale = canvas.width / (cols * cell + 2);
  context.setTransform(scale, 0, 0, scale, scale, scale); // drawGrid's 1 px margin
  context.font = `${Math.max(8, Math.round(cell * 0.45))}px system-ui, sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const index = r * cols + c;
      context.fillStyle = inkOn(colourOf(colours, values[index], vmin, vmax));
      context.fillText(texts[index], (c + 0.5) * cell, (r + 0.5) * cell);
    }
  }
}

function render({ model, el }) {
  const layers = model.get("layer_names").map((name, index) => ({
    name,
    shape: model.get("shapes")[index],
    values: decodeArray(model.get("maps")[index], "float32"),
  }));
  const layerOf = (name) => layers.find((candidate) => candidate.name === name);
  const colours = colourTable(model.get("palette")[model.get("activation_cmap")]);
  const book = model.get("colours"); // window, output, unvisited (convbook.style)
  const text = poolingText[pageLanguage(el)];

  const layerMenu = menu({
    label: text.layer,
    setting: "layer",
    options: layers.map(({ name, shape: [h, w, c] }) => [name, text.layerOption(name, h, w, c)]),
    value: model.get("layer"),
    onChange: (name) => {
      // As PoolingExplorer._keep_settings_in_range: bring the settings into the new layer's
      // ranges before it is drawn.
      const chosen = layerOf(name);
      if (chosen) {
        const [h, w, c] = chosen.shape;
        const side = Math.min(h, w);
        model.set("channel", Math.min(model.get("channel"), c - 1));
        model.set("pool_size", Math.min(model.get("pool_size"), side));
        model.set("stride", Math.min(model.get("stride"), side));
      }
      setter(model, "layer")(name);
    },
  });
  const channelSlider = slider({
    label: text.channel, setting: "channel", min: 0, max: 1, value: model.get("channel"),
    onInput: setter(model, "channel"),
  });
  const poolSlider = slider({
    label: text.poolSize, setting: "pool_size", min: 1, max: 2, value: model.get("pool_size"),
    onInput: setter(model, "pool_size"),
  });
  const strideSlider = slider({
    label: text.stride, setting: "stride", min: 0, max: 2, value: model.get("stride"),
    onInput: setter(model, "stride"),
  });
  const modeMenu = menu({
    label: text.mode,
    setting: "mode",
    options: ["max", "average"].map((name) => [name, text.modes[name]]),
    value: model.get("mode"),
    onChange: setter(model, "mode"),
  });

  const summaryLine = element("p", { className: "cb-note" });
  const mapCanvas = element("canvas");
  const outputCanvas = element("canvas");
  const mapFigure = figure(mapCanvas);
  const outputFigure = figure(outputCanvas);
  const legendLine = element("p", { className: "cb-note" });
  const picture = element("div", {}, [
    summaryLine,
    element("div", { className: "cb-figures" }, [mapFigure.node, outputFigure.node]),
    legendLine,
  ]);

  // A slider's range follows the layer, widened to hold a value set from Python, so that the
  // control always shows the setting the message talks about.
  function follow(control, low, high, value) {
    control.range(Math.min(low, value), Math.max(high, value));
    control.set(value);
  }

  function sync() {
    layerMenu.set(model.get("layer"));
    modeMenu.set(model.get("mode"));
    const [h, w, c] = (layerOf(model.get("layer")) ?? layers[0]).shape;
    const side = Math.min(h, w);
    follow(channelSlider, 0, c - 1, model.get("channel"));
    follow(poolSlider, 1, side + 1, model.get("pool_size"));
    follow(strideSlider, 0, side, model.get("stride"));
  }

  function redraw() {
    const settings = Object.fromEntries(
      ["layer", "channel", "pool_size", "stride", "mode"].map((key) => [key, model.get(key)]),
    );
    const shown = explore(layers, settings, text);
    const { report, values, height, width, low, high, pooled, cellIn, cellOut } = shown;
    const { layer, channel, pool_size: poolSize, stride, mode } = settings;
    const [rows, cols] = report.shape;
    const count = rows * cols;
    drawGrid(mapCanvas, {
      values, rows: height, cols: width, cell: cellIn, colours, vmin: low, vmax: high,
      gridlines: false, boxes: mapBoxes(shown, poolSize, stride, book),
      dots: keptDots(shown, book),
      label: text.mapLabel(layer, channel, height, width, count, poolSize, stride),
    });
    drawGrid(outputCanvas, {
      values: pooled.output, rows, cols, cell: cellOut, colours, vmin: low, vmax: high,
      boxes: [{ row: 0, col: 0, stroke: book.output, lineWidth: 3 }],
      label: text.outputLabel(rows, cols, mode),
    });
    if (report.cells.length) {
      printValues(outputCanvas, {
        values: pooled.output, rows, cols, cell: cellOut, colours, vmin: low, vmax: high,
        texts: report.cells,
      });
    }
    summaryLine.textContent = report.summary;
    mapFigure.caption(report.captions[0]);
    outputFigure.caption(report.captions[1]);
    legendLine.textContent = report.legend;
    return report;
  }

  return mountExplorer({
    model, el, name: "pooling", picture,
    controls: [
      layerMenu.field, channelSlider.field, poolSlider.field, strideSlider.field, modeMenu.field,
    ],
    redraw, sync,
  });
}

export default { render };
