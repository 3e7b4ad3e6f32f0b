// What the padding and stride explorer (geometry.js) says, by language. The English texts are
// convbook.geometry's and GeometryExplorer's, word for word; `shown` is a value as Python's
// repr() writes it.
import { plural } from "./common.js";

export const geometryText = {
  en: {
    limits: {
      input_size: "input size i",
      kernel_size: "kernel size k",
      stride: "stride s",
      zeros: "explicit zeros p",
    },
    padding: "padding",
    paddings: { valid: "valid", same: "same", full: "full", explicit: "explicit" },
    window: "window (0 = all)",
    zeroPadding: "zero padding",
    neverInWindow: "never in a window",
    oneWindow: "one window",
    windowCentres: "window centres (one per output pixel)",
    tooSmall: (part, shown) => `The ${part} needs at least 1 pixel per side, not ${shown}.`,
    strideZero:
      "A stride of 0 never moves the window forward: it would stay on the same spot forever. " +
      "The stride must be at least 1.",
    strideNotWhole: (shown) =>
      "The window moves forward a whole number of pixels at each step, so a stride of " +
      `${shown} does not work. The stride must be at least 1.`,
    badPadding: (shown) =>
      "The padding must be 'valid', 'same', 'full' or a number of zeros (0 or more) on each " +
      `side, not ${shown}.`,
    kernelTooBig: (k, i, padded, before, after) =>
      `A ${k}x${k} kernel does not fit in the ${i}x${i} input padded to ${padded}x${padded} ` +
      `(${before === 0 && after === 0 ? "no padding" : `${before} + ${after} zeros`}): no ` +
      "window position fits, so there is no output. Use a smaller kernel or more padding.",
    onlyWindow: (window) =>
      "There is only 1 window position (a 1x1 output), so there is no window " +
      `${window}: choose 0 or 1.`,
    noWindow: (window, positions, output) =>
      `There are ${positions} window positions (a ${output}x${output} output), so there is no ` +
      `window ${window}: choose 0 to see them all, or 1 to ${positions}.`,
    paddingName: (shown) => `The padding is 'valid', 'same', 'full' or 'explicit', not ${shown}.`,
    outOfRange: (what, low, high, value) =>
      `This explorer's ${what} goes from ${low} to ${high}, so ${value} is out of range.`,
    inputCaption: (i, n) => `input ${i}x${i}, padded ${n}x${n}`,
    outputCaption: (o, window, row, col) =>
      `output ${o}x${o}` + (window ? `, window ${window} fills pixel (${row}, ${col})` : ""),
    inputLabel: (i, n, missed, marks) =>
      `A ${i} by ${i} input padded to ${n} by ${n} with zeros; ` +
      `${plural(missed, "pixel")} never in a window; ${marks}.`,
    windowMarks: (window, positions, top, left, k) =>
      `window ${window} of ${positions} outlined, over padded rows ${top} to ${top + k - 1} and ` +
      `columns ${left} to ${left + k - 1}`,
    centreMarks: (positions) =>
      `${plural(positions, "window position")}, each marked by a dot at its centre, ` +
      "the first one outlined",
    outputLabel: (o, window, row, col) =>
      `The ${o} by ${o} output` +
      (window ? `, pixel (${row}, ${col}) marked: the output of window ${window}.` : "."),
    paddingLine: (before, after) =>
      "padding: " +
      (before === 0 && after === 0
        ? "no padding"
        : `${plural(before, "zero")} before the input (top and left), ${after} after it ` +
          "(bottom and right)"),
    startsLine: (starts, leftover) =>
      `window starts: ${starts.join(", ")} (padded coordinates); ` +
      `${plural(leftover, "pixel")} left over after the last window`,
    missedLine: (unvisited) => `rows and columns never in a window: ${unvisited.join(", ") || "none"}`,
    kerasLine: (spelling, i, result, agrees) =>
      `Keras: ${spelling} maps (None, ${i}, ${i}, 1) to ` +
      `${result === null ? "no output" : `(None, ${result}, ${result}, 1)`}: ` +
      `${agrees ? "agrees with the formula" : "DISAGREES with the formula"}`,
    zerosThen: (zeros, conv) => `ZeroPadding2D(${zeros}) then ${conv}`,
  },
  ko: {
    limits: {
      input_size: "입력 크기 i",
      kernel_size: "커널 크기 k",
      stride: "스트라이드 s",
      zeros: "직접 넣는 0의 개수 p",
    },
    padding: "패딩",
    paddings: { valid: "valid", same: "same", full: "full", explicit: "직접 지정" },
    window: "윈도우 (0 = 전체)",
    zeroPadding: "0 패딩",
    neverInWindow: "윈도우에 들지 않음",
    oneWindow: "윈도우 하나",
    windowCentres: "윈도우 중심 (출력 픽셀마다 하나)",
    tooSmall: (part, shown) =>
      `${part === "input" ? "입력" : "커널"}의 한 변은 1픽셀 이상이어야 합니다. ${shown} 값은 ` +
      "쓸 수 없습니다.",
    strideZero:
      "스트라이드가 0이면 윈도우가 앞으로 나아가지 않고 같은 자리에 영원히 머뭅니다. " +
      "스트라이드는 1 이상이어야 합니다.",
    strideNotWhole: (shown) =>
      `윈도우는 한 번에 정수 픽셀만큼 나아가므로 스트라이드로 ${shown} 값은 쓸 수 없습니다. ` +
      "스트라이드는 1 이상이어야 합니다.",
    badPadding: (shown) =>
      "패딩은 'valid', 'same', 'full' 또는 양쪽에 넣을 0의 개수(0 이상)여야 합니다. " +
      `${shown} 값은 쓸 수 없습니다.`,
    kernelTooBig: (k, i, padded, before, after) =>
      `${k}x${k} 커널은 ${padded}x${padded}로 패딩한 ${i}x${i} 입력` +
      `(${before === 0 && after === 0 ? "패딩 없음" : `0을 ${before} + ${after}개`})에 ` +
      "들어가지 않습니다. 윈도우를 놓을 자리가 없으므로 출력도 없습니다. 더 작은 커널을 쓰거나 " +
      "패딩을 늘리세요.",
    onlyWindow: (window) =>
      `윈도우 위치가 1개뿐이라(1x1 출력) ${window}번 윈도우는 없습니다. 0이나 1을 고르세요.`,
    noWindow: (window, positions, output) =>
      `윈도우 위치가 ${positions}개라(${output}x${output} 출력) ${window}번 윈도우는 없습니다. ` +
      `전체를 보려면 0을, 아니면 1부터 ${positions}까지를 고르세요.`,
    paddingName: (shown) =>
      `패딩은 'valid', 'same', 'full', 'explicit' 중 하나입니다. ${shown} 값은 쓸 수 없습니다.`,
    outOfRange: (what, low, high, value) =>
      `이 탐색기에서 ${what} 값은 ${low}부터 ${high}까지이므로 ${value} 값은 범위를 벗어납니다.`,
    inputCaption: (i, n) => `입력 ${i}x${i}, 패딩 후 ${n}x${n}`,
    outputCaption: (o, window, row, col) =>
      `출력 ${o}x${o}` + (window ? `, ${window}번 윈도우가 채우는 픽셀 (${row}, ${col})` : ""),
    inputLabel: (i, n, missed, marks) =>
      `0으로 ${n}x${n}까지 패딩한 ${i}x${i} 입력. 어느 윈도우에도 들지 않는 픽셀 ${missed}개. ` +
      `${marks}.`,
    windowMarks: (window, positions, top, left, k) =>
      `윈도우 ${positions}개 중 ${window}번을 테두리로 표시, 패딩한 입력의 ${top}행부터 ` +
      `${top + k - 1}행까지, ${left}열부터 ${left + k - 1}열까지`,
    centreMarks: (positions) =>
      `윈도우 위치 ${positions}개, 각 중심에 점을 찍고 첫 윈도우는 테두리로 표시`,
    outputLabel: (o, window, row, col) =>
      `${o}x${o} 출력` + (window ? `, 픽셀 (${row}, ${col}) 표시: ${window}번 윈도우의 출력.` : "."),
    paddingLine: (before, after) =>
      "패딩: " +
      (before === 0 && after === 0
        ? "패딩 없음"
        : `입력 앞(위와 왼쪽)에 0을 ${before}개, 뒤(아래와 오른쪽)에 ${after}개`),
    startsLine: (starts, leftover) =>
      `윈도우 시작 위치: ${starts.join(", ")} (패딩한 좌표). ` +
      `마지막 윈도우 뒤에 남는 픽셀 ${leftover}개`,
    missedLine: (unvisited) => `어느 윈도우에도 들지 않는 행과 열: ${unvisited.join(", ") || "없음"}`,
    kerasLine: (spelling, i, result, agrees) =>
      `Keras: ${spelling}: (None, ${i}, ${i}, 1) → ` +
      `${result === null ? "출력 없음" : `(None, ${result}, ${result}, 1)`}, ` +
      `${agrees ? "공식과 일치합니다" : "공식과 일치하지 않습니다"}`,
    zerosThen: (zeros, conv) => `ZeroPadding2D(${zeros}) 다음에 ${conv}`,
  },
};
