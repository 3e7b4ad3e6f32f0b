// What the convolution explorer (convolution.js) says, by language. The English messages are
// convbook.convolution's and ConvolutionExplorer.check's, word for word.
import { kernelNames } from "./kernels.text.js";

export const convolutionText = {
  en: {
    digit: "digit",
    kernel: "kernel",
    weights: "3x3 weights",
    windowRow: "window row",
    windowColumn: "window column",
    digitOption: (index, label) => `#${index}: a ${label}`,
    kernels: kernelNames.en,
    noDigit: (digit, last) => `There is no digit #${digit}: choose one of #0 to #${last}.`,
    notNumber: (row, token) =>
      `Row ${row} has '${token}', which is not a number: write numbers like 2, -0.5, 1e-2 or 1/9.`,
    dividesByZero: (row, token) => `Row ${row} has '${token}', which divides by zero.`,
    tooLarge: (row, token) =>
      `Row ${row} has '${token}', which is too large to be a kernel weight.`,
    typeWeights: (size) =>
      `Type the ${size * size} weights of the ${size}x${size} kernel as ${size} rows ` +
      "separated by ';', for example '1 0 -1; 1 0 -1; 1 0 -1'.",
    rowCount: (size, count) =>
      `The kernel needs ${size} rows separated by ';' but has ${count}, ` +
      "for example '1 0 -1; 1 0 -1; 1 0 -1'.",
    numberCount: (row, count, size) =>
      `Row ${row} of the kernel has ${count === 1 ? "1 number" : `${count} numbers`}; ` +
      `each row needs ${size}.`,
    pastEdge: (axis, size, value, side, last) => {
      const count = `${axis}s`;
      return (
        `A ${size}x${size} window whose top-left corner is in ${axis} ${value} would cover ` +
        `${count} ${value} to ${value + size - 1}, past the edge of the ${side}-${axis} image. ` +
        `The last ${axis} where it fits is ${last}, which is why the response map has ` +
        `${last + 1} ${count}.`
      );
    },
    inputCaption: (height, width, row, col) => `input ${height}x${width}, window at (${row}, ${col})`,
    responseCaption: (rows, cols) => `response map ${rows}x${cols} (red +, blue -, grey: not yet)`,
    inputLabel: (size, row, col) => `digit with a ${size}x${size} window at row ${row}, column ${col}`,
    responseLabel: (row, col) => `response map computed up to row ${row}, column ${col}`,
    patch: "patch",
    timesKernel: "× kernel",
    products: "= element-wise products",
    patchLabel: "patch values",
    kernelLabel: "kernel weights",
    productsLabel: "element-wise products",
    sumOf: (count) => `Sum of the ${count} products: `,
    sumIs: (row, col) => `, the response at row ${row}, column ${col} (black square on the map).`,
  },
  ko: {
    digit: "숫자",
    kernel: "커널",
    weights: "3x3 가중치",
    windowRow: "윈도우 행",
    windowColumn: "윈도우 열",
    digitOption: (index, label) => `#${index}: 숫자 ${label}`,
    kernels: kernelNames.ko,
    noDigit: (digit, last) => `#${digit}번 숫자는 없습니다. #0부터 #${last}까지 중에서 고르세요.`,
    notNumber: (row, token) =>
      `${row}행의 '${token}' 부분은 숫자가 아닙니다. 2, -0.5, 1e-2, 1/9처럼 숫자로 쓰세요.`,
    dividesByZero: (row, token) => `${row}행의 '${token}' 부분은 0으로 나눕니다.`,
    tooLarge: (row, token) => `${row}행의 '${token}' 부분은 커널 가중치로 쓰기에 너무 큽니다.`,
    typeWeights: (size) =>
      `${size}x${size} 커널의 가중치 ${size * size}개를 ';'로 구분한 ${size}개 행으로 ` +
      "입력하세요. 예: '1 0 -1; 1 0 -1; 1 0 -1'.",
    rowCount: (size, count) =>
      `커널에는 ';'로 구분한 행이 ${size}개 필요한데 지금은 ${count}개입니다. ` +
      "예: '1 0 -1; 1 0 -1; 1 0 -1'.",
    numberCount: (row, count, size) =>
      `커널의 ${row}행에 숫자가 ${count}개 있습니다. 행마다 ${size}개가 필요합니다.`,
    pastEdge: (axis, size, value, side, last) => {
      const unit = axis === "row" ? "행" : "열";
      return (
        `왼쪽 위 모서리가 ${value}${unit}에 있는 ${size}x${size} 윈도우는 ${value}${unit}부터 ` +
        `${value + size - 1}${unit}까지 덮으므로 ${unit}이 ${side}개인 이미지의 가장자리를 ` +
        `넘어갑니다. 윈도우가 들어가는 마지막 ${unit}은 ${last}${unit}이고, 그래서 응답 맵의 ` +
        `${unit}은 ${last + 1}개입니다.`
      );
    },
    inputCaption: (height, width, row, col) => `입력 ${height}x${width}, 윈도우 위치 (${row}, ${col})`,
    responseCaption: (rows, cols) => `응답 맵 ${rows}x${cols} (빨강 +, 파랑 -, 회색: 아직 계산 전)`,
    inputLabel: (size, row, col) => `${row}행 ${col}열에 ${size}x${size} 윈도우를 놓은 숫자`,
    responseLabel: (row, col) => `${row}행 ${col}열까지 계산한 응답 맵`,
    patch: "패치",
    timesKernel: "× 커널",
    products: "= 원소별 곱",
    patchLabel: "패치 값",
    kernelLabel: "커널 가중치",
    productsLabel: "원소별 곱",
    sumOf: (count) => `곱 ${count}개의 합: `,
    sumIs: (row, col) => `. ${row}행 ${col}열의 응답입니다(맵의 검은 사각형).`,
  },
};
