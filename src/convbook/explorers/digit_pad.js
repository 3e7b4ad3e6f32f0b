// The digit pad: draw a digit (mouse, pen, finger or keyboard), and watch the trained convnet
// read it. Each change prepares the drawing like MNIST (preprocess.js), runs the network the page
// holds (convnet.js) and draws the steps, the probabilities and the feature maps. Python side:
// convbook/explorers/digit_pad.py (which computes, with NumPy and Keras, what this module must
// show: the browser tests compare the two).
//
// Test hook: the explorer's root element (.cb-explorer[data-explorer="digit-pad"]) has a property
// `convbookDrawing`. Reading it gives the drawing as the `grid` trait holds it (base64, one byte
// of ink a cell); assigning such a string draws it, as a finished stroke would.
import {
  Problem, colourTable, decodeArray, element, figure, formatFixed, formatPercent, menu,
  mountExplorer, pageLanguage, setter,
} from "./common.js";
import {
  answerOf, drawFeatureMaps, drawProbabilities, forward, loadNetwork, paintMap,
} from "./convnet.js";
import { convnetText } from "./convnet.text.js";
import { digitPadText } from "./digit_pad.text.js";
import { preprocessDigit } from "./preprocess.js";

// The brush, in cells: full ink up to FULL from the pointer's path, fading out at EDGE. On the
// 56-cell pad, a digit drawn about 40 cells tall is scaled by 1/2, so strokes end up about
// 2.5 pixels wide, like MNIST's.
const FULL = 2;
const EDGE = 3;
// The keyboard cursor is a KEY_BLOCK x KEY_BLOCK square: one character of the 14x14 samples.
const KEY_BLOCK = 4;
const MAP_PIXELS = 52; // each feature map is drawn about this many pixels across
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

// ---- pure functions (tests/test_digit_pad.py runs them in Node) ----------------------------------

// The inverse of common.js decodeArray for bytes: base.encode_array(values, "uint8").
export function encodeBytes(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    binary += String.fromCharCode(...bytes.slice(i, i + 4096));
  }
  return btoa(binary);
}

// Ink the pointer's path from `from` to `to` ([row, column] in cells, fractional) with the round
// brush, keeping the darker of the old and the new ink. Returns whether any cell changed.
export function stampSegment(ink, size, from, to) {
  const [r0, c0] = from;
  const dr = to[0] - r0;
  const dc = to[1] - c0;
  const length2 = dr * dr + dc * dc;
  let changed = false;
  const top = Math.max(0, Math.floor(Math.min(r0, to[0]) - EDGE));
  const bottom = Math.min(size - 1, Math.ceil(Math.max(r0, to[0]) + EDGE));
  const left = Math.max(0, Math.floor(Math.min(c0, to[1]) - EDGE));
  const right = Math.min(size - 1, Math.ceil(Math.max(c0, to[1]) + EDGE));
  for (let r = top; r <= bottom; r++) {
    for (let c = left; c <= right; c++) {
      // Distance from the cell's centre to the nearest point of the segment.
      const pr = r + 0.5 - r0;
      const pc = c + 0.5 - c0;
      const t = length2 ? Math.min(Math.max((pr * dr + pc * dc) / length2, 0), 1) : 0;
      const distance = Math.hypot(pr - t * dr, pc - t * dc);
      const value = Math.round(255 * Math.min(Math.max((EDGE - distance) / (EDGE - FULL), 0), 1));
      if (value > ink[r * size + c]) {
        ink[r * size + c] = value;
        changed = true;
      }
    }
  }
  return changed;
}

// DigitPad.check's drawing part, then the preparation: the drawing (size x size bytes of ink)
// as a picture, dark ink on white paper, through preprocess_digit. Throws the pad's Problem, in
// the language of `text` (digit_pad.text.js).
export function prepareDrawing(ink, size, text = digitPadText.en) {
  const picture = new Uint8Array(size * size);
  let low = 255;
  let high = 0;
  for (let p = 0; p < size * size; p++) {
    low = Math.min(low, ink[p]);
    high = Math.max(high, ink[p]);
    picture[p] = 255 - ink[p];
  }
  if (high === 0) throw new Problem(text.empty);
  if (low === high) throw new Problem(text.flat);
  try {
    return preprocessDigit(picture, size, size);
  } catch (problem) {
    if (problem instanceof Problem) throw new Problem(text.noInk);
    throw problem;
  }
}

// digit_pad.channel_problem: "" when channels first .. first + count - 1 exist in every layer.
export function channelProblem(first, depth, count, text = digitPadText.en) {
  const last = depth - count;
  if (Number.isInteger(first) && first >= 0 && first <= last) return "";
  return text.channelRange(last, depth, count);
}

// ---- a picture file -> pad ink -------------------------------------------------------------------

function greyOf(data, pixel) {
  return (data[4 * pixel] + data[4 * pixel + 1] + data[4 * pixel + 2]) / 3;
}

// A picture file, decoded in the browser (no kernel, no network), as pad ink: shrunk to fit the
// pad, with the margins filled in the shade of the picture's border, so that the preparation
// still reads the right background; transparent parts are white paper.
async function inkFromFile(file, size) {
  const bitmap = await createImageBitmap(file);
  const scale = size / Math.max(bitmap.width, bitmap.height);
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = element("canvas", { width: size, height: size });
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.imageSmoothingQuality = "high";
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, size, size);
  context.drawImage(bitmap, 0, 0, width, height);
  const shrunk = context.getImageData(0, 0, width, height).data;
  const border = [];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (r === 0 || c === 0 || r === height - 1 || c === width - 1) {
        border.push(greyOf(shrunk, r * width + c));
      }
    }
  }
  border.sort((a, b) => a - b);
  const paper = Math.round(border[border.length >> 1]);
  context.fillStyle = `rgb(${paper}, ${paper}, ${paper})`;
  context.fillRect(0, 0, size, size);
  context.drawImage(bitmap, (size - width) >> 1, (size - height) >> 1, width, height);
  bitmap.close();
  const data = context.getImageData(0, 0, size, size).data;
  return Uint8Array.from({ length: size * size }, (_, p) => 255 - Math.round(greyOf(data, p)));
}

// ---- the explorer -------------------------------------------------------------------------------

let padCount = 0; // ids for the hint each pad's canvas refers to

async function render({ model, el }) {
  const network = await loadNetwork(model);
  const size = model.get("size");
  const count = model.get("channels");
  const palette = model.get("palette");
  const greys = colourTable(palette.gray_r);
  const viridis = colourTable(palette.viridis);
  const language = pageLanguage(el);
  const text = digitPadText[language];
  const shared = convnetText[language];
  // Ink -> canvas colour (r, g, b, a bytes), as the other pictures draw [0, 1] with gray_r.
  const inkColours = new Uint8ClampedArray(4 * 256);
  for (let v = 0; v < 256; v++) {
    const colour = greys[Math.min(255, Math.floor((v / 255) * 256))];
    [1, 3, 5].forEach((i, k) => (inkColours[4 * v + k] = parseInt(colour.slice(i, i + 2), 16)));
    inkColours[4 * v + 3] = 255;
  }

  let ink = decodeArray(model.get("grid"), "uint8");
  let inkText = model.get("grid"); // the grid `ink` holds, to skip decoding our own changes
  let stroke = null; // the last point of the stroke being drawn
  let frame = 0; // the pending animation frame that publishes the drawing
  let cursor = [(size / KEY_BLOCK / 2 - 1) | 0, (size / KEY_BLOCK / 2 - 1) | 0];

  // ---- the pad and its tools ----
  const hintId = `cb-pad-hint-${++padCount}`;
  const pad = element("canvas", {
    className: "cb-pad", width: size, height: size, tabindex: 0, role: "application",
    "aria-label": text.pad(size), "aria-describedby": hintId,
  });
  const cursorBox = element("div", { className: "cb-pad-cursor", hidden: true });
  const frameBox = element("div", { className: "cb-pad-frame" }, [pad, cursorBox]);
  const hint = element("p", { className: "cb-note", id: hintId, text: text.hint });
  const padImage = pad.getContext("2d").createImageData(size, size);

  function paintPad() {
    const pixels = padImage.data;
    for (let p = 0; p < size * size; p++) {
      const colour = 4 * ink[p];
      for (let k = 0; k < 4; k++) pixels[4 * p + k] = inkColours[colour + k];
    }
    pad.getContext("2d").putImageData(padImage, 0, 0);
    const share = (100 * KEY_BLOCK) / size;
    cursorBox.style.cssText = `top:${cursor[0] * share}%;left:${cursor[1] * share}%;` +
      `width:${share}%;height:${share}%`;
    cursorBox.hidden = !pad.matches(":focus-visible");
  }

  // Send the drawing to the model: its change event redraws everything.
  function publish() {
    frame = 0;
    inkText = encodeBytes(ink);
    model.set("grid", inkText);
  }
  function commit() {
    if (frame) cancelAnimationFrame(frame);
    publish();
    model.save_changes();
  }

  function cellAt(event) {
    const box = pad.getBoundingClientRect(); // the canvas may be scaled down to fit the screen
    return [
      ((event.clientY - box.top) / box.height) * size,
      ((event.clientX - box.left) / box.width) * size,
    ];
  }
  pad.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault(); // no scrolling or text selection while drawing
    pad.setPointerCapture(event.pointerId);
    stroke = cellAt(event);
    if (stampSegment(ink, size, stroke, stroke) && !frame) frame = requestAnimationFrame(publish);
  });
  pad.addEventListener("pointermove", (event) => {
    if (stroke === null) return;
    // Between two frames a fast stroke sends several points; use them all, for smooth lines.
    const points = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    let changed = false;
    for (const point of points.length ? points : [event]) {
      const next = cellAt(point);
      changed = stampSegment(ink, size, stroke, next) || changed;
      stroke = next;
    }
    // One redraw per frame however many moves arrive.
    if (changed && !frame) frame = requestAnimationFrame(publish);
  });
  const endStroke = () => {
    if (stroke === null) return;
    stroke = null;
    commit(); // the kernel, if any, hears of the drawing once per stroke
  };
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    pad.addEventListener(type, endStroke);
  }

  function inkBlock(value) {
    const [row, col] = cursor.map((block) => block * KEY_BLOCK);
    for (let r = row; r < Math.min(row + KEY_BLOCK, size); r++) {
      ink.fill(value, r * size + col, r * size + Math.min(col + KEY_BLOCK, size));
    }
    commit();
  }
  pad.addEventListener("keydown", (event) => {
    const blocks = Math.ceil(size / KEY_BLOCK);
    if (event.key in MOVES) {
      const [dr, dc] = MOVES[event.key];
      cursor = [
        Math.min(Math.max(cursor[0] + dr, 0), blocks - 1),
        Math.min(Math.max(cursor[1] + dc, 0), blocks - 1),
      ];
      if (event.shiftKey) inkBlock(255);
      else paintPad();
    } else if (event.key === " " || event.key === "Enter") {
      inkBlock(255);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      inkBlock(0);
    } else {
      return;
    }
    event.preventDefault(); // the arrows and Space would scroll the page
  });
  pad.addEventListener("focus", paintPad);
  pad.addEventListener("blur", paintPad);

  const clear = element("button", { type: "button", text: text.clear });
  clear.dataset.setting = "clear";
  clear.addEventListener("click", () => {
    ink.fill(0);
    commit();
  });
  const sampleButtons = model.get("samples").map(([label, grid]) => {
    const button = element("button", { type: "button", text: label, "aria-label": text.sample(label) });
    button.dataset.setting = `sample-${label}`;
    button.addEventListener("click", () => {
      ink = decodeArray(grid, "uint8");
      commit();
    });
    return button;
  });
  const fileInput = element("input", { type: "file", accept: "image/*" });
  fileInput.dataset.setting = "file";
  const fileNote = element("p", { className: "cb-note", role: "status" });
  fileInput.addEventListener("change", async () => {
    const [file] = fileInput.files;
    if (!file) return;
    try {
      ink = await inkFromFile(file, size);
      fileNote.textContent = "";
      commit();
    } catch {
      fileNote.textContent = text.unreadable;
    }
    fileInput.value = ""; // choosing the same file again reads it again
  });
  const depth = Math.min(
    ...network.filter((layer) => layer.output_shape.length === 3).map((layer) => layer.output_shape[2]),
  );
  const channelMenu = menu({
    label: text.channels,
    setting: "first_channel",
    options: Array.from({ length: Math.floor(depth / count) }, (_, i) => [
      String(i * count), text.channelsOption(i * count, i * count + count - 1),
    ]),
    value: String(model.get("first_channel")),
    onChange: (value) => setter(model, "first_channel")(Number(value)),
  });
  const tools = element("div", { className: "cb-pad-tools" }, [
    element("div", { className: "cb-pad-buttons" }, [clear]),
    element("div", { className: "cb-pad-buttons", role: "group", "aria-label": text.samples }, [
      element("span", { className: "cb-label", text: text.samplesLabel }),
      ...sampleButtons,
    ]),
    element("label", { className: "cb-field cb-file" }, [
      element("span", { className: "cb-label", text: text.pictureFile }),
      fileInput,
    ]),
    fileNote,
    channelMenu.field,
  ]);
  const padArea = element("div", { className: "cb-pad-area" }, [
    element("div", { className: "cb-pad-side" }, [frameBox, hint]),
    tools,
  ]);

  // ---- the picture: preparation steps, probabilities, feature maps ----
  const cropCanvas = element("canvas");
  const scaledCanvas = element("canvas");
  const digitCanvas = element("canvas");
  const bars = element("div");
  const steps = [cropCanvas, scaledCanvas, digitCanvas, bars].map((body) => figure(body));
  const layerRows = new Map(); // layer name -> {caption, maps}
  const layersBox = element("div", { className: "cb-layers" });
  const picture = element("div", {}, [
    element("div", { className: "cb-figures cb-steps" }, steps.map((step) => step.node)),
    element("p", { className: "cb-note", text: text.mapsNote }),
    layersBox,
  ]);

  function sync() {
    const text = model.get("grid");
    if (text !== inkText) {
      ink = decodeArray(text, "uint8");
      inkText = text;
    }
    channelMenu.set(String(model.get("first_channel")));
    paintPad();
  }

  function redraw() {
    const prepared = prepareDrawing(ink, size, text);
    const { layers, probabilities } = forward(network, prepared.digit);
    const first = model.get("first_channel");
    const problem = channelProblem(first, depth, count, text);
    if (problem) throw new Problem(problem);
    const last = first + count - 1;
    const { crop, scaled } = prepared;
    paintMap(cropCanvas, {
      values: prepared.cropped, height: crop.height, width: crop.width, colours: greys,
      vmin: 0, vmax: 1, cell: 84 / Math.max(crop.height, crop.width),
      label: text.croppedLabel(crop.height, crop.width),
    });
    paintMap(scaledCanvas, {
      values: prepared.resized, height: scaled.height, width: scaled.width, colours: greys,
      vmin: 0, vmax: 1, cell: 4, label: text.scaledLabel(scaled.height, scaled.width),
    });
    paintMap(digitCanvas, {
      values: prepared.digit, height: 28, width: 28, colours: greys, vmin: 0, vmax: 1, cell: 4,
      label: text.centredLabel,
    });
    const answer = answerOf(probabilities);
    drawProbabilities(bars, probabilities, { format: (p) => formatPercent(p, 0), text: shared });
    const captions = [
      text.croppedCaption(crop.height, crop.width),
      text.scaledCaption(scaled.height, scaled.width),
      text.centredCaption,
      text.saysCaption(answer, formatPercent(probabilities[answer], 0)),
    ];
    captions.forEach((caption, i) => steps[i].caption(caption));

    const shown = layers.map((layer) => {
      if (!layerRows.has(layer.name)) {
        const row = {
          caption: element("p", { className: "cb-note cb-layer-name" }),
          maps: element("div", { className: "cb-figures cb-maps" }),
        };
        layersBox.append(element("div", { className: "cb-layer" }, [row.caption, row.maps]));
        layerRows.set(layer.name, row);
      }
      const row = layerRows.get(layer.name);
      let vmax = 0;
      for (const value of layer.values) vmax = Math.max(vmax, value);
      const cell = Math.max(2, Math.round(MAP_PIXELS / Math.max(layer.height, layer.width)));
      drawFeatureMaps(row.maps, layer, { first, last, vmax, colours: viridis, cell, text: shared });
      row.caption.textContent = text.layerCaption(
        layer.name, layer.height, layer.width, layer.depth, first, last, formatFixed(vmax, 2),
      );
      const peaks = [];
      for (let channel = first; channel <= last; channel++) {
        let peak = 0;
        for (let p = channel; p < layer.values.length; p += layer.depth) {
          peak = Math.max(peak, layer.values[p]);
        }
        peaks.push(peak);
      }
      return { name: layer.name, shape: [layer.height, layer.width, layer.depth], vmax, first, last, peaks };
    });
    return {
      inverted: prepared.inverted,
      crop: [crop.height, crop.width],
      scaled: [scaled.height, scaled.width],
      digit: Array.from(prepared.digit),
      probabilities,
      answer,
      captions,
      layers: shown,
    };
  }

  const cleanup = mountExplorer({
    model, el, name: "digit-pad", picture, controls: [padArea], redraw, sync,
  });
  Object.defineProperty(el.firstElementChild, "convbookDrawing", {
    get: () => model.get("grid"),
    set: (text) => {
      model.set("grid", text);
      model.save_changes();
    },
  });
  return cleanup;
}

export default { render };
