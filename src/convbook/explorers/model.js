// The model explorer: a test digit, the trained convnet's probabilities for it and one layer's
// feature maps, all computed here from the digit's pixels (convnet.js). Python side:
// convbook/explorers/model.py (which computes with Keras what this module must show: the
// browser tests compare the two).
import {
  Problem, colourTable, decodeArray, element, figure, formatFixed, formatPercent, menu,
  mountExplorer, pageLanguage, setter, slider,
} from "./common.js";
import {
  answerOf, describeDigits, drawFeatureMaps, drawProbabilities, forward, loadNetwork, paintMap,
} from "./convnet.js";
import { convnetText } from "./convnet.text.js";
import { modelText } from "./model.text.js";

const MAP_KINDS = ["conv", "maxpool", "avgpool"];
const SIDE = 28; // MNIST digits are 28x28
const MAP_PIXELS = 60; // pixels across one feature map, whatever the layer's map size

// ModelExplorer.check: the message for impossible settings, or "" when they give a picture, in
// the language of `text` (model.text.js).
//   settings: {show, digit, mistake, layer, first, last}
//   page:     {indices, mistakes, cached (the digits it holds, in words), depths: [[layer,
//             depth], ...], maxChannels}
export function problemWith(settings, page, text = modelText.en) {
  const { show, digit, mistake, layer, first, last } = settings;
  if (show === "mistakes") {
    const count = page.mistakes.length;
    if (count === 0) return text.noMistakes;
    if (!(mistake >= 0 && mistake < count)) return text.noMistake(mistake, count);
  } else if (show !== "digit") {
    return text.badShow(show);
  } else if (!page.indices.includes(digit)) {
    return text.notOnPage(digit, page.cached);
  }
  const depths = new Map(page.depths);
  if (!depths.has(layer)) return text.noLayer(layer, page.depths.map(([name]) => name));
  const depth = depths.get(layer);
  if (first < 0) return text.negativeFirst;
  if (last >= depth) return text.tooDeep(layer, depth);
  if (first > last) return text.firstAfterLast(first, last);
  if (last - first + 1 > page.maxChannels) return text.tooMany(last - first + 1, page.maxChannels);
  return "";
}

// ModelExplorer._follow_the_depth: a working channel range that the new layer cannot hold
// slides down to its last channels, keeping its width. Returns [first, last].
export function followDepth(first, last, oldDepth, newDepth) {
  if (oldDepth === undefined || newDepth === undefined) return [first, last];
  if (!(first >= 0 && first <= last && last < oldDepth) || last < newDepth) return [first, last];
  return [Math.max(0, newDepth - 1 - (last - first)), newDepth - 1];
}

async function render({ model, el }) {
  const network = await loadNetwork(model);
  const mapLayers = network.filter((layer) => MAP_KINDS.includes(layer.kind));
  const indices = model.get("indices");
  const labels = model.get("labels");
  const mistakes = model.get("mistakes");
  const language = pageLanguage(el);
  const text = modelText[language];
  const shared = convnetText[language];
  const page = {
    indices, mistakes, cached: describeDigits(indices, mistakes, shared),
    maxChannels: model.get("max_channels"),
    depths: mapLayers.map((layer) => [layer.name, layer.output_shape[2]]),
  };
  const depths = new Map(page.depths);
  const spotOf = new Map(indices.map((index, spot) => [index, spot]));
  const wrong = new Set(mistakes);
  const levels = decodeArray(model.get("images"), "uint8");
  const grey = colourTable(model.get("palette").gray_r);
  const viridis = colourTable(model.get("palette").viridis);

  const showMenu = menu({
    label: text.show, setting: "show", value: model.get("show"),
    options: ["digit", "mistakes"].map((name) => [name, text.shows[name]]),
    onChange: setter(model, "show"),
  });
  const digitMenu = menu({
    label: text.testDigit, setting: "digit", value: String(model.get("digit")),
    options: indices.map((index, spot) => [
      String(index), text.digitOption(index, labels[spot], wrong.has(index)),
    ]),
    // A value no option has reads as "": nothing was chosen.
    onChange: (value) => value !== "" && setter(model, "digit")(Number(value)),
  });
  const mistakeSlider = slider({
    label: text.mistake, setting: "mistake", min: 0, max: Math.max(mistakes.length - 1, 0),
    value: model.get("mistake"), onInput: setter(model, "mistake"),
  });
  const layerMenu = menu({
    label: text.layer, setting: "layer", value: model.get("layer"),
    options: mapLayers.map(({ name, output_shape: [h, w, d] }) => [name, `${name} (${h}×${w}×${d})`]),
    onChange: (name) => {
      const [first, last] = followDepth(
        model.get("first"), model.get("last"), depths.get(model.get("layer")), depths.get(name),
      );
      model.set("first", first);
      model.set("last", last);
      setter(model, "layer")(name);
    },
  });
  const deepest = Math.max(...depths.values());
  const firstSlider = slider({
    label: text.firstChannel, setting: "first", min: 0, max: deepest - 1, value: model.get("first"),
    onInput: setter(model, "first"),
  });
  const lastSlider = slider({
    label: text.lastChannel, setting: "last", min: 0, max: deepest - 1, value: model.get("last"),
    onInput: setter(model, "last"),
  });
  const note = element("p", {
    className: "cb-note", style: "flex-basis:100%;margin:0",
    text: shared.holds(page.cached),
  });

  const digitCanvas = element("canvas");
  const digitFigure = figure(digitCanvas);
  const bars = element("div");
  const barsFigure = figure(bars);
  const layerCaption = element("p", { className: "cb-note" });
  const maps = element("div", { className: "cb-figures", style: "gap:0.5em 0.6em" });
  const picture = element("div", {}, [
    element("div", { className: "cb-figures" }, [digitFigure.node, barsFigure.node]),
    layerCaption,
    maps,
  ]);

  const settings = () => ({
    show: model.get("show"), digit: model.get("digit"), mistake: model.get("mistake"),
    layer: model.get("layer"), first: model.get("first"), last: model.get("last"),
  });

  function sync() {
    const { show, digit, mistake, layer, first, last } = settings();
    showMenu.set(show);
    // While stepping through the mistakes, the (disabled) menu names the mistake shown.
    const stepping = show === "mistakes" && mistake >= 0 && mistake < mistakes.length;
    digitMenu.set(String(stepping ? mistakes[mistake] : digit));
    digitMenu.input.disabled = show !== "digit";
    mistakeSlider.set(mistake);
    mistakeSlider.input.disabled = show !== "mistakes";
    layerMenu.set(layer);
    // The channel sliders reach the chosen layer's last channel.
    const depth = depths.get(layer) ?? deepest;
    firstSlider.range(0, depth - 1);
    lastSlider.range(0, depth - 1);
    firstSlider.set(first);
    lastSlider.set(last);
  }

  let pixels = null;
  let outputs = null;
  let computed = -1;

  function redraw() {
    const chosen = settings();
    const problem = problemWith(chosen, page, text);
    if (problem) throw new Problem(problem);
    const digit = chosen.show === "digit" ? chosen.digit : mistakes[chosen.mistake];
    const spot = spotOf.get(digit);
    if (digit !== computed) {
      // The model's input, as Keras computes it: float32(level / 255).
      const digitLevels = levels.subarray(spot * SIDE * SIDE, (spot + 1) * SIDE * SIDE);
      pixels = Float32Array.from(digitLevels, (level) => level / 255);
      outputs = forward(network, pixels);
      computed = digit;
    }
    const { probabilities } = outputs;
    const label = labels[spot];
    const answer = answerOf(probabilities);
    const { first, last } = chosen;
    const layer = outputs.layers.find(({ name }) => name === chosen.layer);
    const { height, width, depth, values } = layer;
    let top = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > top) top = values[i];
    const vmax = top || 1;
    const captions = [
      text.digitCaption(digit, label),
      text.saysCaption(answer, formatPercent(probabilities[answer], 0), answer === label),
      text.layerCaption(chosen.layer, height, width, depth, first, last, formatFixed(vmax, 2)),
    ];
    paintMap(digitCanvas, {
      values: pixels, height: SIDE, width: SIDE, colours: grey, vmin: 0, vmax: 1, cell: 5,
      label: captions[0],
    });
    digitFigure.caption(captions[0]);
    drawProbabilities(bars, probabilities, {
      truth: label, format: (p) => formatPercent(p, 0), text: shared,
    });
    barsFigure.caption(captions[1]);
    layerCaption.textContent = captions[2];
    const cell = Math.max(2, Math.round(MAP_PIXELS / Math.max(height, width)));
    drawFeatureMaps(maps, layer, { first, last, vmax, colours: viridis, cell, text: shared });
    // What the tests compare with Keras: every shown channel's largest and mean value, and the
    // first one in full (all of them would make a heavy result on every redraw).
    const maxima = [];
    const means = [];
    for (let c = first; c <= last; c++) {
      let high = -Infinity;
      let sum = 0;
      for (let p = c; p < values.length; p += depth) {
        if (values[p] > high) high = values[p];
        sum += values[p];
      }
      maxima.push(high);
      means.push(sum / (height * width));
    }
    const sample = [];
    for (let p = first; p < values.length; p += depth) sample.push(values[p]);
    return {
      digit, label, answer, probabilities, shape: [height, width, depth], vmax, maxima, means,
      sample, captions,
    };
  }

  return mountExplorer({
    model, el, name: "model", picture, redraw, sync,
    controls: [
      showMenu.field, digitMenu.field, mistakeSlider.field, layerMenu.field, firstSlider.field,
      lastSlider.field, note,
    ],
  });
}

export default { render };
