// The arithmetic the explorers share, with no drawing: imported by convolution.js and
// equivariance.js (convbook/explorers/base.py inlines it into each).

// The "valid" cross-correlation of one image with a square kernel, as convbook.ops.conv2d
// computes it: image[r * width + c], kernel[i * size + j] with size * size weights.
export function responseMap(image, height, width, kernel) {
  const size = Math.round(Math.sqrt(kernel.length));
  const rows = height - size + 1;
  const cols = width - size + 1;
  const out = new Float64Array(Math.max(rows, 0) * Math.max(cols, 0));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let total = 0;
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          total += image[(r + i) * width + c + j] * kernel[i * size + j];
        }
      }
      out[r * cols + c] = total;
    }
  }
  return { values: out, rows, cols };
}
