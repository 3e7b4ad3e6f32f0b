// The probe explorer: shift a test digit or hide part of it under a grey patch, run it through a
// trained convnet (convnet.js) and show the probabilities and the Grad-CAM class-activation map
// of the last convolution. Python side: convbook/explorers/probe.py (which computes with Keras,
// and TensorFlow's gradients, what this module must show: the browser tests compare the two).
import {
  Problem, colourTable, colourOf, decodeArray, element, figure, formatFixed, formatPercent, menu,
  mountExplorer, pageLanguage, setter, slider,
} from "./common.js";
import {
  answerOf, decodeNetwork, describeDigits, drawProbabilities, forward, loadNetwork, paintMap,
} from "./convnet.js";
import { convnetText } from "./convnet.text.js";
import { probeText } from "./probe.text.js";

const SIDE = 28; // MNIST digits are 28x28
const CELL = 5; // screen pixels per image pixel
const FRAME = "1px solid #767676"; // the 28x28 frame around each picture of the digit
const TARGETS = ["answer", "truth", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

// ---- messages (probe.py: shift_problem, patch_problem, ProbeExplorer.check) -----------------
// Each in the language of `text` (probe.text.js).

// The message for moving test digit `digit` by `down` rows and `right` columns, or "".
// margins: [blank rows above, below, blank columns left, right] of the digit's ink.
export function shiftProblem(digit, margins, down, right, text = probeText.en) {
  const [upRoom, downRoom, leftRoom, rightRoom] = margins;
  for (const [direction, amount, room] of [
    ["down", down, downRoom], ["up", -down, upRoom],
    ["right", right, rightRoom], ["left", -right, leftRoom],
  ]) {
    if (amount > room) return text.offImage(direction, digit, room, amount);
  }
  return "";
}

// The message for a size x size patch with its top-left corner at (top, left), or "".
export function patchProblem(size, top, left, side = SIDE, text = probeText.en) {
  if (size < 1) return text.patchTooSmall;
  if (size > side) return text.patchTooWide(side);
  const last = side - size;
  for (const [axis, value] of [["row", top], ["column", left]]) {
    if (!(value >= 0 && value <= last)) return text.patchPastEdge(axis, size, value, side, last);
  }
  return "";
}

// ProbeExplorer.check: the message for impossible settings, or "" when they give a picture.
//   settings: {network, digit, change, down, right, patch, top, left, target}
//   page:     {names, indices, margins, cached (the digits it holds, in words)}
export function problemWith(settings, page, text = probeText.en) {
  const { network, digit, change, down, right, patch, top, left, target } = settings;
  if (!page.names.includes(network)) {
    return text.noModel(network, page.names.map((name) => text.models[name] ?? name));
  }
  const spot = page.indices.indexOf(digit);
  if (spot < 0) return text.notOnPage(digit, page.cached);
  let message;
  if (change === "shift") message = shiftProblem(digit, page.margins[spot], down, right, text);
  else if (change === "occlude") message = patchProblem(patch, top, left, SIDE, text);
  else message = text.badChange(change);
  if (message) return message;
  if (!TARGETS.includes(target)) return text.badTarget(target);
  return "";
}

// ---- the picture's numbers -------------------------------------------------------------------

// The image the model receives: the digit's 0-255 levels as float32(level / 255), moved by
// (down, right) with blank pixels coming in, or with a patch of grey level `fill` painted on it.
export function seenImage(levels, settings, fill) {
  const digit = Float32Array.from(levels, (v) => v / 255);
  if (settings.change === "occlude") {
    const { patch, top, left } = settings;
    for (let r = top; r < top + patch; r++) {
      for (let c = left; c < left + patch; c++) digit[r * SIDE + c] = fill;
    }
    return digit;
  }
  const { down, right } = settings;
  const moved = new Float32Array(SIDE * SIDE);
  for (let r = 0; r < SIDE; r++) {
    const from = r - down;
    if (from < 0 || from >= SIDE) continue;
    for (let c = 0; c < SIDE; c++) {
      const column = c - right;
      if (column >= 0 && column < SIDE) moved[r * SIDE + c] = digit[from * SIDE + column];
    }
  }
  return moved;
}

// Receptive field of layer `name` (convbook.models.receptive_fields) and the input coordinate of
// the centre of each of its units (convbook.inspection.field_centres): unit i reads pixels
// jump * i to jump * i + size - 1.
export function fieldCentres(network, name) {
  let size = 1;
  let jump = 1;
  for (const layer of network) {
    if (layer.window) {
      size += (layer.window[0] - 1) * jump;
      jump *= layer.strides[0];
    }
    if (layer.name === name) {
      const units = layer.output_shape[0];
      return { size, jump, centres: Array.from({ length: units }, (_, i) => jump * i + (size - 1) / 2) };
    }
  }
  throw new Error(`fieldCentres: no layer ${name}`);
}

// The last convolution, the Flatten after it and the Dense classifier of a network.
function head(network) {
  const convs = network.filter((layer) => layer.kind === "conv");
  const last = convs[convs.length - 1];
  const dense = network[network.length - 1];
  return { last, dense };
}

// Grad-CAM's channel weights in closed form (convbook.inspection.cam_weights): the class score
// z_c = b_c + sum over (i, j, k) of W[(i * w + j) * K + k, c] A[i, j, k] is linear in the last
// maps A, so dz_c / dA[i, j, k] is that dense weight, and alpha_k its mean over the positions.
export function camWeights(network, target) {
  const { last, dense } = head(network);
  const [height, width, depth] = last.output_shape;
  const units = dense.kernel_shape[1];
  const alphas = new Float64Array(depth);
  for (let p = 0; p < height * width; p++) {
    for (let k = 0; k < depth; k++) alphas[k] += dense.kernel[(p * depth + k) * units + target];
  }
  for (let k = 0; k < depth; k++) alphas[k] /= height * width;
  return alphas;
}

// ReLU(sum_k alpha_k A[:, :, k]) for the last convolution's maps (values channel-last).
export function camOf(maps, alphas) {
  const { height, width, depth, values } = maps;
  const cam = new Float64Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let total = 0;
    for (let k = 0; k < depth; k++) total += alphas[k] * values[p * depth + k];
    cam[p] = Math.max(total, 0);
  }
  return cam;
}

// The class score split by position (convbook.inspection.score_map): M[i, j] = sum_k
// dz_c / dA[i, j, k] * A[i, j, k], here W[(i * w + j) * K + k, c] * A[i, j, k]; the nine values
// add up to z_c minus the class's bias.
export function scoreMap(network, maps, target) {
  const { dense } = head(network);
  const { height, width, depth, values } = maps;
  const units = dense.kernel_shape[1];
  const scores = new Float64Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let total = 0;
    for (let k = 0; k < depth; k++) total += dense.kernel[(p * depth + k) * units + target] * values[p * depth + k];
    scores[p] = total;
  }
  return scores;
}

// Linear-interpolation weights at pixels 0 .. size - 1 between unit centres, clamped at the
// outermost ones (convbook.inspection._interpolation): [[low unit, its weight, high weight]].
function interpolation(centres, size) {
  const units = centres.length;
  const rows = [];
  for (let pixel = 0; pixel < size; pixel++) {
    if (units === 1) {
      rows.push([0, 1, 0]);
      continue;
    }
    const step = centres[1] - centres[0];
    const t = Math.min(Math.max((pixel - centres[0]) / step, 0), units - 1);
    const low = Math.min(Math.floor(t), units - 2);
    const fraction = t - low;
    rows.push([low, 1 - fraction, fraction]);
  }
  return rows;
}

// convbook.inspection.upsample_cam: a rows x cols map laid over a size x size image, each value
// at its unit's field centre, linear in between.
export function upsampleCam(cam, rows, cols, centres, size = SIDE) {
  const weights = interpolation(centres, size);
  const at = (i, j) => cam[Math.min(i, rows - 1) * cols + Math.min(j, cols - 1)];
  const laid = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    const [i, wi, wi1] = weights[y];
    for (let x = 0; x < size; x++) {
      const [j, wj, wj1] = weights[x];
      laid[y * size + x] =
        wi * (wj * at(i, j) + wj1 * at(i, j + 1)) + wi1 * (wj * at(i + 1, j) + wj1 * at(i + 1, j + 1));
    }
  }
  return laid;
}

// One probe: the probabilities, the Grad-CAM map for class `target` ("answer", "truth" or a
// digit) and the map laid over the pixels.
export function probe(network, pixels, target, label) {
  const { layers, probabilities } = forward(network, pixels);
  const answer = answerOf(probabilities);
  const chosen = target === "answer" ? answer : target === "truth" ? label : Number(target);
  const { last } = head(network);
  const maps = layers.find((layer) => layer.name === last.name);
  const cam = camOf(maps, camWeights(network, chosen));
  const score = scoreMap(network, maps, chosen);
  const { centres } = fieldCentres(network, last.name);
  const laid = upsampleCam(cam, maps.height, maps.width, centres);
  const scoreLaid = upsampleCam(score, maps.height, maps.width, centres);
  return {
    probabilities, answer, chosen, cam, score, camShape: [maps.height, maps.width], laid, scoreLaid,
    layer: last.name,
  };
}

// probe() on several images with a Network widget's `layers` as Python encodes them: what the
// tests call from Node, which has no widget manager.
export function probeAll(layers, images, targets, labels) {
  const network = decodeNetwork(layers);
  return images.map((pixels, k) => {
    const result = probe(network, Float32Array.from(pixels), targets[k], labels[k]);
    return {
      ...result, cam: Array.from(result.cam), laid: Array.from(result.laid),
      score: Array.from(result.score), scoreLaid: Array.from(result.scoreLaid),
    };
  });
}

// ---- the map, drawn over the digit -------------------------------------------------------------

const tiles = new WeakMap(); // canvas -> the small canvas its map is painted on first

// "#rrggbb" -> [r, g, b]
function rgb(colour) {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
}

// A map laid over the digit, a cell per pixel, coloured from vmin to vmax, with the outline of
// the digit's ink (where the pixels cross 0.5), like the chapter's figures. The 28x28 colours go
// into one small image, drawn enlarged without smoothing: far quicker than a rectangle per cell.
function paintCam(canvas, { laid, ink, colours, vmin, vmax, outline, label }) {
  const scale = Math.max(1, Math.round(window.devicePixelRatio || 1));
  const width = SIDE * CELL;
  if (canvas.width !== width * scale) {
    canvas.width = width * scale;
    canvas.height = width * scale;
  }
  canvas.style.width = `${width}px`;
  canvas.style.imageRendering = "auto";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  if (!tiles.has(canvas)) tiles.set(canvas, element("canvas", { width: SIDE, height: SIDE }));
  const tile = tiles.get(canvas);
  const small = tile.getContext("2d");
  const image = small.createImageData(SIDE, SIDE);
  for (let p = 0; p < SIDE * SIDE; p++) {
    const [r, g, b] = rgb(colourOf(colours, laid[p], vmin, vmax));
    image.data.set([r, g, b, 255], 4 * p);
  }
  small.putImageData(image, 0, 0);
  const context = canvas.getContext("2d");
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(tile, 0, 0, width, width);
  context.strokeStyle = outline;
  context.lineWidth = 1.2;
  context.beginPath();
  const inked = (r, c) => r >= 0 && r < SIDE && c >= 0 && c < SIDE && ink[r * SIDE + c] >= 0.5;
  for (let r = 0; r <= SIDE; r++) {
    for (let c = 0; c <= SIDE; c++) {
      if (inked(r, c) !== inked(r - 1, c)) {
        context.moveTo(c * CELL, r * CELL);
        context.lineTo((c + 1) * CELL, r * CELL);
      }
      if (inked(r, c) !== inked(r, c - 1)) {
        context.moveTo(c * CELL, r * CELL);
        context.lineTo(c * CELL, (r + 1) * CELL);
      }
    }
  }
  context.stroke();
}

async function render({ model, el }) {
  const names = model.get("network_names");
  const references = model.get("networks");
  const networks = [];
  for (const reference of references) {
    // loadNetwork reads one "network" reference; hand it each of ours in turn.
    networks.push(await loadNetwork({ get: () => reference, widget_manager: model.widget_manager }));
  }
  const byName = new Map(names.map((name, k) => [name, networks[k]]));
  const indices = model.get("indices");
  const labels = model.get("labels");
  const language = pageLanguage(el);
  const text = probeText[language];
  const shared = convnetText[language];
  const modelName = (name) => text.models[name] ?? name;
  const page = {
    names, indices, margins: model.get("margins"), cached: describeDigits(indices, [], shared),
  };
  const levels = decodeArray(model.get("images"), "uint8");
  const fill = model.get("fill");
  const grey = colourTable(model.get("palette")[model.get("ink_cmap")]);
  const heat = colourTable(model.get("palette")[model.get("activation_cmap")]);
  const signed = colourTable(model.get("palette")[model.get("signed_cmap")]);

  const networkMenu = menu({
    label: text.model, setting: "network", value: model.get("network"),
    options: names.map((name) => [name, modelName(name)]), onChange: setter(model, "network"),
  });
  const digitMenu = menu({
    label: text.testDigit, setting: "digit", value: String(model.get("digit")),
    options: indices.map((index, spot) => [String(index), text.digitOption(index, labels[spot])]),
    onChange: (value) => value !== "" && setter(model, "digit")(Number(value)),
  });
  const changeMenu = menu({
    label: text.change, setting: "change", value: model.get("change"),
    options: ["shift", "occlude"].map((name) => [name, text.changes[name]]),
    onChange: setter(model, "change"),
  });
  const downSlider = slider({
    label: text.down, setting: "down", min: -5, max: 5, value: model.get("down"),
    onInput: setter(model, "down"),
  });
  const rightSlider = slider({
    label: text.right, setting: "right", min: -5, max: 5, value: model.get("right"),
    onInput: setter(model, "right"),
  });
  const patchSlider = slider({
    label: text.patchSize, setting: "patch", min: 0, max: SIDE + 1, value: model.get("patch"),
    onInput: setter(model, "patch"),
  });
  const topSlider = slider({
    label: text.patchRow, setting: "top", min: 0, max: SIDE, value: model.get("top"),
    onInput: setter(model, "top"),
  });
  const leftSlider = slider({
    label: text.patchColumn, setting: "left", min: 0, max: SIDE, value: model.get("left"),
    onInput: setter(model, "left"),
  });
  const targetMenu = menu({
    label: text.target, setting: "target", value: model.get("target"),
    options: TARGETS.map((target) => [target, text.targets[target] ?? text.digitTarget(target)]),
    onChange: setter(model, "target"),
  });
  const note = element("p", {
    className: "cb-note", style: "flex-basis:100%;margin:0",
    text: shared.holds(page.cached),
  });

  const digitCanvas = element("canvas");
  const digitFigure = figure(digitCanvas);
  // The maps keep to the width of their pictures, so that two fit side by side on a phone.
  const narrow = `max-width:${SIDE * CELL + 2}px`;
  const camCanvas = element("canvas");
  const camFigure = figure(camCanvas);
  camFigure.node.setAttribute("style", narrow);
  const scoreCanvas = element("canvas");
  const scoreFigure = figure(scoreCanvas);
  scoreFigure.node.setAttribute("style", narrow);
  digitFigure.node.setAttribute("style", narrow);
  for (const canvas of [digitCanvas, camCanvas, scoreCanvas]) canvas.style.border = FRAME;
  const bars = element("div");
  const barsFigure = figure(bars);
  const picture = element("div", {}, [
    element("div", { className: "cb-figures" }, [digitFigure.node, barsFigure.node]),
    element("div", { className: "cb-figures" }, [camFigure.node, scoreFigure.node]),
  ]);

  const settings = () => ({
    network: model.get("network"), digit: model.get("digit"), change: model.get("change"),
    down: model.get("down"), right: model.get("right"), patch: model.get("patch"),
    top: model.get("top"), left: model.get("left"), target: model.get("target"),
  });

  function sync() {
    const chosen = settings();
    networkMenu.set(chosen.network);
    digitMenu.set(String(chosen.digit));
    changeMenu.set(chosen.change);
    targetMenu.set(chosen.target);
    // The shift sliders reach one pixel past the room this digit has on each side; the patch
    // position sliders one step past the last place the patch fits.
    const spot = indices.indexOf(chosen.digit);
    const [up, below, leftRoom, rightRoom] = spot >= 0 ? page.margins[spot] : [4, 4, 4, 4];
    downSlider.range(-(up + 1), below + 1);
    rightSlider.range(-(leftRoom + 1), rightRoom + 1);
    const fits = chosen.patch >= 1 && chosen.patch <= SIDE;
    topSlider.range(0, fits ? SIDE - chosen.patch + 1 : SIDE);
    leftSlider.range(0, fits ? SIDE - chosen.patch + 1 : SIDE);
    downSlider.set(chosen.down);
    rightSlider.set(chosen.right);
    patchSlider.set(chosen.patch);
    topSlider.set(chosen.top);
    leftSlider.set(chosen.left);
    const shifting = chosen.change === "shift";
    downSlider.input.disabled = !shifting;
    rightSlider.input.disabled = !shifting;
    for (const control of [patchSlider, topSlider, leftSlider]) control.input.disabled = shifting;
  }

  let key = "";
  let seen = null;
  let outputs = null;

  function redraw() {
    const chosen = settings();
    const problem = problemWith(chosen, page, text);
    if (problem) throw new Problem(problem);
    const spot = indices.indexOf(chosen.digit);
    const label = labels[spot];
    const network = byName.get(chosen.network);
    const shifting = chosen.change === "shift";
    const nextKey = JSON.stringify([
      chosen.network, chosen.digit, chosen.change, chosen.target,
      ...(shifting ? [chosen.down, chosen.right] : [chosen.patch, chosen.top, chosen.left]),
    ]);
    if (nextKey !== key) {
      seen = seenImage(levels.subarray(spot * SIDE * SIDE, (spot + 1) * SIDE * SIDE), chosen, fill);
      outputs = probe(network, seen, chosen.target, label);
      key = nextKey;
    }
    const { probabilities, answer, chosen: target, cam, score, camShape, laid, scoreLaid, layer } = outputs;
    let top = 0;
    for (const value of cam) top = Math.max(top, value);
    let reach = 0;
    let total = 0;
    for (const value of score) {
      reach = Math.max(reach, Math.abs(value));
      total += value;
    }
    const done = shifting
      ? text.moved(chosen.down, chosen.right)
      : text.patched(chosen.patch, chosen.top, chosen.left);
    const whose = text.targets[chosen.target] ?? text.yourChoice;
    const percent = formatPercent(probabilities[answer], 0);
    const captions = [
      text.digitCaption(chosen.digit, label, done),
      text.saysCaption(modelName(chosen.network), answer, percent, answer === label),
      top > 0
        ? text.camCaption(layer, target, whose, formatFixed(top, 3))
        : text.emptyCamCaption(layer, target, whose),
      text.scoreCaption(target, formatFixed(total, 2), formatFixed(reach, 2)),
    ];
    paintMap(digitCanvas, {
      values: seen, height: SIDE, width: SIDE, colours: grey, vmin: 0, vmax: 1, cell: CELL,
      label: captions[0],
    });
    digitFigure.caption(captions[0]);
    paintCam(camCanvas, {
      laid, ink: seen, colours: heat, vmin: 0, vmax: top || 1, outline: "#ffffff", label: captions[2],
    });
    camFigure.caption(captions[2]);
    paintCam(scoreCanvas, {
      laid: scoreLaid, ink: seen, colours: signed, vmin: -(reach || 1), vmax: reach || 1,
      outline: "#404040", label: captions[3],
    });
    scoreFigure.caption(captions[3]);
    drawProbabilities(bars, probabilities, {
      truth: label, format: (p) => formatPercent(p, 0), text: shared,
    });
    barsFigure.caption(captions[1]);
    return {
      digit: chosen.digit, label, answer, target, probabilities, image: Array.from(seen),
      cam: Array.from(cam), score: Array.from(score), camShape, laid: Array.from(laid),
      scoreLaid: Array.from(scoreLaid), captions,
    };
  }

  return mountExplorer({
    model, el, name: "probe", picture, redraw, sync,
    controls: [
      networkMenu.field, digitMenu.field, changeMenu.field, downSlider.field, rightSlider.field,
      patchSlider.field, topSlider.field, leftSlider.field, targetMenu.field, note,
    ],
  });
}

export default { render };
