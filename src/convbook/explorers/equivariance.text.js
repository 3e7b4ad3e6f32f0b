// What the equivariance explorer (equivariance.js) says, by language. The English texts are
// convbook.connectivity's and EquivarianceExplorer's, word for word.
import { kernelNames } from "./kernels.text.js";

export const equivarianceText = {
  en: {
    digit: "digit",
    kernel: "kernel",
    layer: "layer",
    shiftDown: "shift down",
    shiftRight: "shift right",
    digitOption: (index, label) => `#${index}: a ${label}`,
    kernels: kernelNames.en,
    layers: {
      "convolution": "convolution",
      "stride-2 convolution": "stride-2 convolution",
      "convolution + 2x2 max pooling": "convolution + 2x2 max pooling",
    },
    noDigit: (digit, last) => `There is no digit #${digit}: choose one of #0 to #${last}.`,
    noKernel: (kernel, names) => `There is no kernel '${kernel}': choose one of ${names.join(", ")}.`,
    noLayer: (layer, names) => `There is no layer '${layer}': choose one of ${names.join(", ")}.`,
    shiftOut: (axis, value, side) => {
      const count = `${axis}s`;
      return (
        `A shift of ${value} ${count} moves the whole ${side}-${axis} image out of the ` +
        `picture: nothing is left to compare. Shift by at most ${side - 1} ${count} either way.`
      );
    },
    notWhole: (dy, dx, step) =>
      `A shift of (${dy}, ${dx}) pixels is not a whole number of this map's cells, which are ` +
      `${step} pixels apart: the windows fall between their old places.`,
    whole: (dy, dx, ty, tx, step) =>
      `A shift of (${dy}, ${dx}) pixels is (${ty}, ${tx}) cells of this map` +
      `${step === 1 ? "" : `, whose cells are ${step} pixels apart`}.`,
    nothingLeft: "No cell of the moved map is left to compare.",
    compared: (exact, ty, tx, compared, largest, same) =>
      `${exact ? "On the" : `Against the map moved by (${ty}, ${tx}) cells, on the`} ` +
      `${compared} cells the moved map covers, the largest difference is ${largest}: ` +
      `${same ? "the map moved with the digit." : "the map did not just move."}`,
    shiftedCaption: (dy, dx) => `the digit shifted by (${dy}, ${dx}); drag it`,
    mapCaption: (rows, cols) => `its map, ${rows}x${cols}`,
    movedCaption: (ty, tx) => `the digit's map moved by (${ty}, ${tx}); grey: no value`,
    differenceCaption: "difference; white: equal",
    digitLabel: (dy, dx) =>
      `the digit shifted ${dy} rows down and ${dx} columns right; drag to shift it`,
    mapLabel: (rows, cols) => `map of the shifted digit, ${rows} by ${cols}`,
    movedLabel: (ty, tx) =>
      `map of the digit moved by ${ty} rows and ${tx} columns, grey where it has no value`,
    differenceLabel: "difference of the two maps, white where they are equal",
  },
  ko: {
    digit: "숫자",
    kernel: "커널",
    layer: "층",
    shiftDown: "아래로 이동",
    shiftRight: "오른쪽으로 이동",
    digitOption: (index, label) => `#${index}: 숫자 ${label}`,
    kernels: kernelNames.ko,
    layers: {
      "convolution": "합성곱",
      "stride-2 convolution": "스트라이드 2 합성곱",
      "convolution + 2x2 max pooling": "합성곱 + 2x2 최대 풀링",
    },
    noDigit: (digit, last) => `#${digit}번 숫자는 없습니다. #0부터 #${last}까지 중에서 고르세요.`,
    noKernel: (kernel, names) =>
      `'${kernel}' 커널은 없습니다. ${names.join(", ")} 중에서 고르세요.`,
    noLayer: (layer, names) => `'${layer}' 층은 없습니다. ${names.join(", ")} 중에서 고르세요.`,
    shiftOut: (axis, value, side) => {
      const unit = axis === "row" ? "행" : "열";
      return (
        `${value}${unit}만큼 이동하면 ${unit}이 ${side}개인 이미지 전체가 그림 밖으로 나가서 ` +
        `비교할 것이 남지 않습니다. 어느 쪽으로든 최대 ${side - 1}${unit}까지만 이동하세요.`
      );
    },
    notWhole: (dy, dx, step) =>
      `(${dy}, ${dx}) 픽셀 이동은 이 맵의 칸으로 딱 떨어지지 않습니다. 칸 사이가 ${step}픽셀이라서 ` +
      "윈도우가 예전 자리들 사이에 놓입니다.",
    whole: (dy, dx, ty, tx, step) =>
      `(${dy}, ${dx}) 픽셀 이동은 ${step === 1 ? "이 맵" : `칸 사이가 ${step}픽셀인 이 맵`}에서 ` +
      `(${ty}, ${tx}) 칸 이동입니다.`,
    nothingLeft: "옮긴 맵에는 비교할 칸이 하나도 남지 않습니다.",
    compared: (exact, ty, tx, compared, largest, same) =>
      `${exact ? "" : `원래 맵을 (${ty}, ${tx}) 칸 옮겨 비교하면, `}옮긴 맵이 덮는 칸 ` +
      `${compared}개에서 가장 큰 차이는 ${largest}입니다. ` +
      `${same ? "맵이 숫자와 함께 움직였습니다." : "맵이 그냥 움직이기만 한 것은 아닙니다."}`,
    shiftedCaption: (dy, dx) => `(${dy}, ${dx})만큼 이동한 숫자. 끌어서 옮길 수 있음`,
    mapCaption: (rows, cols) => `이동한 숫자의 맵, ${rows}x${cols}`,
    movedCaption: (ty, tx) => `원래 맵을 (${ty}, ${tx}) 칸 옮긴 것. 회색: 값 없음`,
    differenceCaption: "차이. 흰색: 같음",
    digitLabel: (dy, dx) =>
      `아래로 ${dy}행, 오른쪽으로 ${dx}열 이동한 숫자. 끌어서 옮길 수 있습니다`,
    mapLabel: (rows, cols) => `이동한 숫자의 맵, ${rows}행 ${cols}열`,
    movedLabel: (ty, tx) => `원래 숫자의 맵을 ${ty}행, ${tx}열 옮긴 것, 값이 없는 곳은 회색`,
    differenceLabel: "두 맵의 차이, 같은 곳은 흰색",
  },
};
