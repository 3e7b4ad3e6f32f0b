// The model explorer: a test digit, the trained convnet's probabilities for it and one layer's
// feature maps, all computed here from the digit's pixels (convnet.js). Python side:
// convbook/explorers/model.py (which computes with Keras what this module must show: the
// browser tests compare the two).
import {
  Problem, colourTable, decodeArray, element, figure, formatFixed, formatPercent, menu,
  mountExplorer, setter, slider,
} from "./common.js";
import {
  answerOf, drawFeatureMaps, drawProbabilities, forward, loadNetwork, paintMap,
} from "./convnet.js";

const MAP_KINDS = ["conv", "maxpool", "avgpool"];
const SIDE = 28; // MNIST digits are 28x28
const MAP_PIXELS = 60; // pixels across one feature map, whatever the layer's map size

// ModelExplorer.check: the message for impossible settings, or "" when they give a picture.
//   settings: {show, digit, mistake, layer, first, last}
//   page:     {indices, mistakes, cached, depths: [[layer, depth], ...], maxChannels}
export function problemWith(settings, page) {
  const { show, digit, mistake, layer, first, last } = settings;
  if (show === "mistakes") {
    const count = page.mistakes.length;
    if (count === 0) {
      return (
        "The model gets every digit in this page right, so there are no mistakes to step " +
        "through: show a test digit instead."
      );
    }
    if (!(mistake >= 0 && mistake < count)) {
      const numbered = count > 1 ? `numbered 0 to ${count - 1}` : "numbered 0";
      return (
        `There is no mistake ${mistake}: the model gets ${count} of the digits in this page ` +
        `wrong, ${numbered}.`
      );
    }
  } else if (show !== "digit") {
    return `Show 'digit' or 'mistakes', not '${show}'.`;
  } else if (!page.indices.includes(digit)) {
    return (
      `Test digit ${digit} is not in this page, which holds ${page.cached}. To see any other ` +
      "test digit, run the notebook and give ModelExplorer its index."
    );
  }
  const depths = new Map(page.depths);
  if (!depths.has(layer)) {
    return (
      `This model has no feature-map layer '${layer}': choose one of ` +
      `${page.depths.map(([name]) => name).join(", ")}.`
    );
  }
  const depth = depths.get(layer);
  if (first < 0) return "Channels are numbered from 0: choose a first channel of 0 or more.";
  if (last >= depth) {
    return (
      `Layer ${layer} has ${depth} channels, numbered 0 to ${depth - 1}: choose channels up to ` +
      `${depth - 1}.`
    );
  }
  if (first > last) {
    return (
      `The first channel (${first}) comes after the last (${last}): choose a first channel no ` +
      "larger than the last."
    );
  }
  if (last - first + 1 > page.maxChannels) {
    return (
      `That is ${last - first + 1} channels; the explorer draws at most ${page.maxChannels} ` +
      "at a time, so narrow the range."
    );
  }
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
  const page = {
    indices, mistakes, cached: model.get("cached"), maxChannels: model.get("max_channels"),
    depths: mapLayers.map((layer) => [layer.name, layer.output_shape[2]]),
  };
  const depths = new Map(page.depths);
  const spotOf = new Map(indices.map((index, spot) => [index, spot]));
  const wrong = new Set(mistakes);
  const levels = decodeArray(model.get("images"), "uint8");
  const grey = colourTable(model.get("palette").gray_r);
  const viridis = colourTable(model.get("palette").viridis);

  const showMenu = menu({
    label: "show", setting: "show", value: model.get("show"),
    options: [["digit", "a test digit"], ["mistakes", "the model's mistakes"]],
    onChange: setter(model, "show"),
  });
  const digitMenu = menu({
    label: "test digit", setting: "digit", value: String(model.get("digit")),
    options: indices.map((index, spot) => [
      String(index), `#${index}: a ${labels[spot]}${wrong.has(index) ? " (wrong)" : ""}`,
    ]),
    // A value no option has reads as "": nothing was chosen.
    onChange: (value) => value !== "" && setter(model, "digit")(Number(value)),
  });
  const mistakeSlider = slider({
    label: "mistake no.", setting: "mistake", min: 0, max: Math.max(mistakes.length - 1, 0),
    value: model.get("mistake"), onInput: setter(model, "mistake"),
  });
  const layerMenu = menu({
    label: "layer", setting: "layer", value: model.get("layer"),
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
    label: "first channel", setting: "first", min: 0, max: deepest - 1, value: model.get("first"),
    onInput: setter(model, "first"),
  });
  const lastSlider = slider({
    label: "last channel", setting: "last", min: 0, max: deepest - 1, value: model.get("last"),
    onInput: setter(model, "last"),
  });
  const note = element("p", {
    className: "cb-note", style: "flex-basis:100%;margin:0",
    text: `This page holds ${page.cached}: the test digit menu offers those.`,
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
    const problem = problemWith(chosen, page);
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
    const verdict = answer === label ? "right" : "wrong";
    const { first, last } = chosen;
    const layer = outputs.layers.find(({ name }) => name === chosen.layer);
    const { height, width, depth, values } = layer;
    let top = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > top) top = values[i];
    const vmax = top || 1;
    const captions = [
      `test digit ${digit}: a ${label}`,
      `the model says ${answer} (${formatPercent(probabilities[answer], 0)}): ${verdict}`,
      `${chosen.layer} outputs ${height}×${width}×${depth} feature maps: channels ${first} to ` +
        `${last} of this digit, on one colour scale for the whole layer, from 0 (dark) to ` +
        `${formatFixed(vmax, 2)} (yellow).`,
    ];
    paintMap(digitCanvas, {
      values: pixels, height: SIDE, width: SIDE, colours: grey, vmin: 0, vmax: 1, cell: 5,
      label: captions[0],
    });
    digitFigure.caption(captions[0]);
    drawProbabilities(bars, probabilities, {
      truth: label, format: (p) => formatPercent(p, 0),
      label: `the model's probability for each digit: it says ${answer}, the truth is ${label}`,
    });
    barsFigure.caption(captions[1]);
    layerCaption.textContent = captions[2];
    const cell = Math.max(2, Math.round(MAP_PIXELS / Math.max(height, width)));
    drawFeatureMaps(maps, layer, { first, last, vmax, colours: viridis, cell });
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
