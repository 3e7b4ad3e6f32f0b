// The trained convnet, run in the browser: decode the weights a Network widget carries
// (convbook/explorers/network.py), compute a digit's feature maps and probabilities, and draw
// them, in the page's language (convnet.text.js). The explorers that run a trained convnet
// (model.js, digit_pad.js, probe.js) import from here.
import { decodeArray, element } from "./common.js";
import { convnetText } from "./convnet.text.js";

// ---- the weights ---------------------------------------------------------------------------

// The Network widget's `layers` -> the network forward() runs: the same layer dicts, with the
// float32 weights widened once to float64 (exactly: every float32 is a float64), so that the
// sums below are computed in float64.
export function decodeNetwork(layers) {
  return layers.map((layer) => {
    const decoded = { ...layer };
    if (layer.kernel !== undefined) {
      decoded.kernel = Float64Array.from(decodeArray(layer.kernel, "float32"));
      decoded.bias = Float64Array.from(decodeArray(layer.bias, "float32"));
    }
    return decoded;
  });
}

const networks = new WeakMap(); // Network widget model -> {layers, network}

// The network an explorer's model refers to: its `network` trait is "IPY_MODEL_<id>", the
// widget manager knows that model (a page holds it once, for every explorer of the same model).
// Decoded once, again only if Python sent new weights.
export async function loadNetwork(model) {
  const reference = model.get("network");
  const id = String(reference).replace(/^IPY_MODEL_/, "");
  const holder = await model.widget_manager.get_model(id);
  const layers = holder.get("layers");
  const known = networks.get(holder);
  if (known && known.layers === layers) return known.network;
  const network = decodeNetwork(layers);
  networks.set(holder, { layers, network });
  return network;
}

// ---- one forward pass ------------------------------------------------------------------------

// Conv2D, padding "valid": out[y, x, o] = bias[o] + sum over (i, j, c) of
// in[y * sy + i, x * sx + j, c] * kernel[i, j, c, o], all arrays channel-last.
function convolve(layer, input) {
  const [inH, inW, inD] = layer.input_shape;
  const [outH, outW, outD] = layer.output_shape;
  const [kh, kw] = layer.window;
  const [sy, sx] = layer.strides;
  const { kernel, bias } = layer;
  const out = new Float64Array(outH * outW * outD);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const base = (y * outW + x) * outD;
      out.set(bias, base);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const pixel = ((y * sy + i) * inW + x * sx + j) * inD;
          const weights = (i * kw + j) * inD * outD;
          for (let c = 0; c < inD; c++) {
            const value = input[pixel + c];
            if (value === 0) continue; // after a ReLU, most inputs are 0: skip their products
            const row = weights + c * outD;
            for (let o = 0; o < outD; o++) out[base + o] += value * kernel[row + o];
          }
        }
      }
    }
  }
  return out;
}

// Max or average pooling, padding "valid", channel by channel.
function pool(layer, input, takeMax) {
  const [, inW, depth] = layer.input_shape;
  const [outH, outW] = layer.output_shape;
  const [ph, pw] = layer.window;
  const [sy, sx] = layer.strides;
  const out = new Float64Array(outH * outW * depth);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < depth; c++) {
        let result = takeMax ? -Infinity : 0;
        for (let i = 0; i < ph; i++) {
          for (let j = 0; j < pw; j++) {
            const value = input[((y * sy + i) * inW + x * sx + j) * depth + c];
            result = takeMax ? Math.max(result, value) : result + value;
          }
        }
        out[(y * outW + x) * depth + c] = takeMax ? result : result / (ph * pw);
      }
    }
  }
  return out;
}

function dense(layer, input) {
  const [inputs, units] = layer.kernel_shape;
  const out = Float64Array.from(layer.bias);
  for (let i = 0; i < inputs; i++) {
    const value = input[i];
    if (value === 0) continue;
    const row = i * units;
    for (let o = 0; o < units; o++) out[o] += value * layer.kernel[row + o];
  }
  return out;
}

function activate(values, activation) {
  if (activation === "relu") {
    for (let i = 0; i < values.length; i++) if (values[i] < 0) values[i] = 0;
  } else if (activation === "softmax") {
    let top = -Infinity;
    for (const value of values) top = Math.max(top, value);
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      values[i] = Math.exp(values[i] - top);
      total += values[i];
    }
    for (let i = 0; i < values.length; i++) values[i] /= total;
  }
  return values;
}

// Run `pixels` (height * width * channels numbers, row-major, channel-last: for MNIST 784
// values in [0, 1]) through the network. Returns every conv and pooling layer's output,
//   layers: [{name, height, width, depth, values}]  (values channel-last, Float64Array)
// and the last layer's output as `probabilities` (the softmax of the classifier).
export function forward(network, pixels) {
  let values = Float64Array.from(pixels);
  const layers = [];
  for (const layer of network) {
    if (layer.kind === "conv") values = activate(convolve(layer, values), layer.activation);
    else if (layer.kind === "maxpool" || layer.kind === "avgpool") {
      values = pool(layer, values, layer.kind === "maxpool");
    } else if (layer.kind === "dense") values = activate(dense(layer, values), layer.activation);
    else if (layer.kind !== "flatten") throw new Error(`forward: unknown layer kind ${layer.kind}`);
    // Flatten changes nothing: channel-last values are already in Keras' flattened order.
    if (layer.kind !== "flatten" && layer.kind !== "dense") {
      const [height, width, depth] = layer.output_shape;
      layers.push({ name: layer.name, height, width, depth, values });
    }
  }
  return { layers, probabilities: Array.from(values) };
}

// forward() on several digits with the Network widget's `layers` as Python encodes them: what
// the tests call from Node, which has no widget manager.
export function forwardAll(layers, images) {
  const network = decodeNetwork(layers);
  return images.map((pixels) => {
    const { layers: maps, probabilities } = forward(network, pixels);
    return { probabilities, layers: maps.map((map) => ({ ...map, values: Array.from(map.values) })) };
  });
}

// The model's answer: the most probable class (the first one on a tie, like NumPy's argmax).
export function answerOf(probabilities) {
  let answer = 0;
  for (let k = 1; k < probabilities.length; k++) {
    if (probabilities[k] > probabilities[answer]) answer = k;
  }
  return answer;
}

// Which test digits a page holds (`indices` sorted, without repeats), in a few words:
// convbook.explorers.model.describe_digits, in the language of `text` (convnet.text.js).
export function describeDigits(indices, mistakes, text = convnetText.en) {
  let run = 0;
  while (run < indices.length && indices[run] === run) run += 1;
  const others = indices.slice(run);
  const wrong = new Set(mistakes);
  return text.heldDigits(run, others, others.every((index) => wrong.has(index)));
}

// ---- pictures --------------------------------------------------------------------------------

const rgbTables = new Map();

// 256 "#rrggbb" colours (common.js colourTable) -> 768 bytes r, g, b.
function rgbOf(colours) {
  if (!rgbTables.has(colours)) {
    const bytes = new Uint8ClampedArray(768);
    colours.forEach((colour, i) => {
      for (let k = 0; k < 3; k++) bytes[3 * i + k] = parseInt(colour.slice(1 + 2 * k, 3 + 2 * k), 16);
    });
    rgbTables.set(colours, bytes);
  }
  return rgbTables.get(colours);
}

// Paint channel `channel` of `depth` interleaved channels (height x width) on `canvas`, one
// canvas pixel per value; CSS scales it by `cell` (explorers.css draws canvases pixelated). One
// putImageData is far cheaper than a fillRect per cell, which keeps 16 maps under a millisecond.
export function paintMap(canvas, options) {
  const { values, height, width, depth = 1, channel = 0, colours, vmin, vmax, cell, label } = options;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.style.width = `${width * cell}px`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  const rgb = rgbOf(colours);
  const span = vmax > vmin ? vmax - vmin : 1;
  for (let p = 0; p < width * height; p++) {
    // colourOf's rule (matplotlib's 256 bins), inlined: it runs for every pixel of every map.
    const scaled = Math.min(Math.max((values[p * depth + channel] - vmin) / span, 0), 1);
    const index = 3 * Math.min(255, Math.floor(scaled * 256));
    image.data[4 * p] = rgb[index];
    image.data[4 * p + 1] = rgb[index + 1];
    image.data[4 * p + 2] = rgb[index + 2];
    image.data[4 * p + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

// Small multiples of channels first..last of a layer from forward(), each a canvas captioned
// "ch N" (text: convnet.text.js in the page's language), all on one colour scale from 0 to vmax.
// The figures are kept between redraws.
export function drawFeatureMaps(container, layer, { first, last, vmax, colours, cell, text }) {
  const count = last - first + 1;
  while (container.children.length > count) container.lastElementChild.remove();
  while (container.children.length < count) {
    // Tight small multiples: the book's theme pads every figure and caption.
    container.append(element("figure", { className: "cb-figure cb-map", style: "padding:0;margin:0" }, [
      element("canvas"),
      element("figcaption", { style: "padding:0;margin:0.15em 0 0" }),
    ]));
  }
  for (let k = 0; k < count; k++) {
    const channel = first + k;
    const [canvas, caption] = container.children[k].children;
    paintMap(canvas, {
      values: layer.values, height: layer.height, width: layer.width, depth: layer.depth, channel,
      colours, vmin: 0, vmax, cell, label: text.mapLabel(layer.name, channel),
    });
    caption.textContent = text.mapCaption(channel);
  }
}

// The ten probabilities as labelled bars (an HTML list, so a screen reader reads each digit's
// number). The answer is dark blue when right (or when the truth is unknown), red when wrong;
// the true digit is bold and underlined. Styled inline: the explorers share this drawing but
// not a style sheet. `format(p)` writes a probability, `text` is convnet.text.js in the page's
// language; returns the answer.
export function drawProbabilities(container, probabilities, { truth = null, format, text }) {
  const answer = answerOf(probabilities);
  const bars = probabilities.map((p, digit) => {
    const right = truth === null || truth === answer;
    const colour = digit !== answer ? "#a9bcd6" : right ? "#1f5fa8" : "#c0392b";
    const isTruth = digit === truth;
    const height = (Math.min(Math.max(p, 0), 1) * 100).toFixed(1);
    return element("li", {
      "aria-label": text.barLabel(digit, format(p), isTruth),
      style: "display:flex;flex-direction:column;align-items:center;width:1.45em;margin:0",
    }, [
      element("span", {
        text: digit === answer ? format(p) : "\u00a0", "aria-hidden": "true",
        style: "font-size:0.72em;white-space:nowrap;height:1.3em",
      }),
      element("span", {
        "aria-hidden": "true",
        style: "display:flex;align-items:flex-end;height:80px;width:1.05em;" +
          "border-bottom:1px solid #888888",
      }, element("span", { style: `display:block;width:100%;height:${height}%;background:${colour}` })),
      element("span", {
        text: String(digit), "aria-hidden": "true",
        style: `font-size:0.85em${isTruth ? ";font-weight:bold;text-decoration:underline" : ""}`,
      }),
    ]);
  });
  container.replaceChildren(element("ol", {
    "aria-label": text.barsLabel(answer, truth), start: 0,
    style: "display:flex;gap:0.1em;list-style:none;padding:0;margin:0.2em 0",
  }, bars));
  return answer;
}
