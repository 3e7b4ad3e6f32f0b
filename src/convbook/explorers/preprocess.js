// A digit prepared the way MNIST's digits were, in the browser: the twin of
// convbook.digits.preprocess_digit, step for step, so that the digit pad (digit_pad.js) gives
// the model exactly the 28x28 image Python would. tests/test_digit_pad.py compares the two in
// Node on many drawings. Every function here is pure.

// A Problem carries a message for the reader (common.js); imported so that Node can run this file.
import { Problem } from "./common.js";

const MNIST_BOX = 20; // the longer side of the digit, in pixels (convbook.digits.MNIST_BOX)
const MNIST_CENTRE = 14; // where the centre of mass lands, row and column (MNIST_CENTRE)
const MNIST_SIZE = 28;
// convbook.digits.TIE_TOLERANCE: a centre of mass this close to a half is a tie.
const TIE_TOLERANCE = 1e-9;

// preprocess_digit's messages, word for word (Python raises them as ValueError).
export const BLANK_PICTURE = "the picture is blank (every pixel has the same value): there is no digit";
export const NO_INK_PICTURE = "the picture has no ink that stands out from its background";

// Python's round(x) to an integer: exact halves go to the even neighbour (Math.round goes up).
export function pythonRound(x) {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

// convbook.digits._nearest_whole: round(x), with values within TIE_TOLERANCE of a half taken as
// that half. A centre of mass is a sum of many products, whose last bits depend on the order of
// the sums (NumPy's matrix product and this loop add in different orders); a symmetric drawing
// has its centre exactly on a half, where those last bits would otherwise decide.
export function nearestWhole(x) {
  const floor = Math.floor(x);
  return Math.abs(x - floor - 0.5) <= TIE_TOLERANCE ? pythonRound(floor + 0.5) : pythonRound(x);
}

// numpy.median: the middle value, or the mean of the two middle values.
export function median(values) {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// convbook.digits._area_weights: a sizeOut x sizeIn matrix (row-major) whose row i holds the
// share of each input pixel that output pixel i covers; every operation as NumPy does it.
export function areaWeights(sizeIn, sizeOut) {
  const scale = sizeIn / sizeOut;
  const weights = new Float64Array(sizeOut * sizeIn);
  for (let i = 0; i < sizeOut; i++) {
    const start = i * scale;
    const end = start + scale;
    for (let k = 0; k < sizeIn; k++) {
      const overlap = Math.min(end, k + 1) - Math.max(start, k);
      weights[i * sizeIn + k] = Math.max(overlap, 0) / scale;
    }
  }
  return weights;
}

// convbook.digits._resize: area averaging, rowWeights @ pixels @ colWeights.T.
export function resize(pixels, height, width, rows, cols) {
  const rowWeights = areaWeights(height, rows);
  const colWeights = areaWeights(width, cols);
  const tall = new Float64Array(rows * width); // rowWeights @ pixels
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < height; k++) {
      const weight = rowWeights[r * height + k];
      if (weight === 0) continue; // most weights are 0: each new pixel covers a few old ones
      for (let x = 0; x < width; x++) tall[r * width + x] += weight * pixels[k * width + x];
    }
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let total = 0;
      for (let x = 0; x < width; x++) {
        const weight = colWeights[c * width + x];
        if (weight !== 0) total += tall[r * width + x] * weight;
      }
      out[r * cols + c] = total;
    }
  }
  return out;
}

// convbook.digits._centre_of_mass: [row, column] of a height x width picture.
export function centreOfMass(pixels, height, width) {
  let total = 0;
  let rows = 0;
  let cols = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const value = pixels[r * width + c];
      total += value;
      rows += value * r;
      cols += value * c;
    }
  }
  return [rows / total, cols / total];
}

// convbook.digits.preprocess_digit for a grey picture (height * width numbers of any range,
// row-major): grey levels, ink made bright, crop, scale to a 20-pixel box, centre by mass in
// 28x28. Returns every step:
//   inverted, ink (height * width), crop {top, left, height, width}, cropped,
//   scaled {height, width}, resized, shift {top, left}, digit (784 float32 values in [0, 1]).
// Throws Problem(BLANK_PICTURE) or Problem(NO_INK_PICTURE), as Python raises ValueError.
export function preprocessDigit(pixels, height, width, inkThreshold = 0.15) {
  // Plain loops throughout: TypedArray map/from with a callback is several times slower in V8,
  // and this runs at every frame of a stroke.
  const count = height * width;
  let low = Infinity;
  let high = -Infinity;
  for (let p = 0; p < count; p++) {
    low = Math.min(low, pixels[p]);
    high = Math.max(high, pixels[p]);
  }
  if (high - low < 1e-9) throw new Problem(BLANK_PICTURE);
  const grey = new Float64Array(count);
  for (let p = 0; p < count; p++) grey[p] = (pixels[p] - low) / (high - low);

  // The border, in NumPy's order (first row, last row, first column, last column).
  const border = [];
  for (let c = 0; c < width; c++) border.push(grey[c]);
  for (let c = 0; c < width; c++) border.push(grey[(height - 1) * width + c]);
  for (let r = 0; r < height; r++) border.push(grey[r * width]);
  for (let r = 0; r < height; r++) border.push(grey[r * width + width - 1]);
  const inverted = median(border) > 0.5;
  const background = inverted ? median(border.map((value) => 1.0 - value)) : median(border);
  const ink = new Float64Array(count);
  let strongest = 0;
  for (let p = 0; p < count; p++) {
    ink[p] = Math.max((inverted ? 1.0 - grey[p] : grey[p]) - background, 0);
    strongest = Math.max(strongest, ink[p]);
  }
  if (strongest <= 0) throw new Problem(NO_INK_PICTURE);
  for (let p = 0; p < count; p++) {
    ink[p] /= strongest;
    if (ink[p] < inkThreshold) ink[p] = 0;
  }

  let [top, bottom, left, right] = [height, -1, width, -1];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (ink[r * width + c] === 0) continue;
      top = Math.min(top, r);
      bottom = Math.max(bottom, r);
      left = Math.min(left, c);
      right = Math.max(right, c);
    }
  }
  const cropHeight = bottom - top + 1;
  const cropWidth = right - left + 1;
  const cropped = new Float64Array(cropHeight * cropWidth);
  for (let r = 0; r < cropHeight; r++) {
    for (let c = 0; c < cropWidth; c++) cropped[r * cropWidth + c] = ink[(top + r) * width + left + c];
  }

  const scale = MNIST_BOX / Math.max(cropHeight, cropWidth);
  const newHeight = Math.max(1, Math.min(MNIST_BOX, pythonRound(cropHeight * scale)));
  const newWidth = Math.max(1, Math.min(MNIST_BOX, pythonRound(cropWidth * scale)));
  const resized = resize(cropped, cropHeight, cropWidth, newHeight, newWidth);
  for (let p = 0; p < resized.length; p++) resized[p] = Math.min(Math.max(resized[p], 0), 1);

  const [centreRow, centreCol] = centreOfMass(resized, newHeight, newWidth);
  const shiftTop = nearestWhole(MNIST_CENTRE - centreRow);
  const shiftLeft = nearestWhole(MNIST_CENTRE - centreCol);
  // Pixels shifted past the 28x28 frame are cut off, as in Python.
  const digit = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let r = Math.max(shiftTop, 0); r < Math.min(shiftTop + newHeight, MNIST_SIZE); r++) {
    for (let c = Math.max(shiftLeft, 0); c < Math.min(shiftLeft + newWidth, MNIST_SIZE); c++) {
      digit[r * MNIST_SIZE + c] = resized[(r - shiftTop) * newWidth + c - shiftLeft];
    }
  }
  return {
    inverted,
    ink,
    crop: { top, left, height: cropHeight, width: cropWidth },
    cropped,
    scaled: { height: newHeight, width: newWidth },
    resized,
    shift: { top: shiftTop, left: shiftLeft },
    digit,
  };
}
