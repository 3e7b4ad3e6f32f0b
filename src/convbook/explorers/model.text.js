// What the model explorer (model.js) says, by language. The English texts are ModelExplorer's,
// word for word; `held` describes the digits the page holds (convnet.js describeDigits).
export const modelText = {
  en: {
    show: "show",
    shows: { digit: "a test digit", mistakes: "the model's mistakes" },
    testDigit: "test digit",
    digitOption: (index, label, wrong) => `#${index}: a ${label}${wrong ? " (wrong)" : ""}`,
    mistake: "mistake no.",
    layer: "layer",
    firstChannel: "first channel",
    lastChannel: "last channel",
    noMistakes:
      "The model gets every digit in this page right, so there are no mistakes to step " +
      "through: show a test digit instead.",
    noMistake: (mistake, count) =>
      `There is no mistake ${mistake}: the model gets ${count} of the digits in this page ` +
      `wrong, ${count > 1 ? `numbered 0 to ${count - 1}` : "numbered 0"}.`,
    badShow: (show) => `Show 'digit' or 'mistakes', not '${show}'.`,
    notOnPage: (digit, held) =>
      `Test digit ${digit} is not in this page, which holds ${held}. To see any other ` +
      "test digit, run the notebook and give ModelExplorer its index.",
    noLayer: (layer, names) =>
      `This model has no feature-map layer '${layer}': choose one of ${names.join(", ")}.`,
    negativeFirst: "Channels are numbered from 0: choose a first channel of 0 or more.",
    tooDeep: (layer, depth) =>
      `Layer ${layer} has ${depth} channels, numbered 0 to ${depth - 1}: choose channels up to ` +
      `${depth - 1}.`,
    firstAfterLast: (first, last) =>
      `The first channel (${first}) comes after the last (${last}): choose a first channel no ` +
      "larger than the last.",
    tooMany: (count, most) =>
      `That is ${count} channels; the explorer draws at most ${most} at a time, so narrow the ` +
      "range.",
    digitCaption: (digit, label) => `test digit ${digit}: a ${label}`,
    saysCaption: (answer, percent, correct) =>
      `the model says ${answer} (${percent}): ${correct ? "right" : "wrong"}`,
    layerCaption: (layer, height, width, depth, first, last, vmax) =>
      `${layer} outputs ${height}×${width}×${depth} feature maps: channels ${first} to ` +
      `${last} of this digit, on one colour scale for the whole layer, from 0 (dark) to ` +
      `${vmax} (yellow).`,
  },
  ko: {
    show: "보기",
    shows: { digit: "테스트 숫자", mistakes: "모델의 오답" },
    testDigit: "테스트 숫자",
    digitOption: (index, label, wrong) => `#${index}: 숫자 ${label}${wrong ? " (오답)" : ""}`,
    mistake: "오답 번호",
    layer: "층",
    firstChannel: "첫 채널",
    lastChannel: "마지막 채널",
    noMistakes:
      "모델이 이 페이지의 숫자를 모두 맞혔으므로 살펴볼 오답이 없습니다. 대신 테스트 숫자를 " +
      "보세요.",
    noMistake: (mistake, count) =>
      `${mistake}번 오답은 없습니다. 모델이 이 페이지에서 틀린 숫자는 ${count}개이고, 번호는 ` +
      `${count > 1 ? `0부터 ${count - 1}까지` : "0뿐"}입니다.`,
    badShow: (show) => `'digit'이나 'mistakes'를 보여 줄 수 있습니다. '${show}' 값은 쓸 수 없습니다.`,
    notOnPage: (digit, held) =>
      `테스트 숫자 ${digit}번은 이 페이지에 없습니다(이 페이지에 담긴 숫자: ${held}). 다른 테스트 ` +
      "숫자를 보려면 노트북을 실행하고 ModelExplorer에 그 인덱스를 주세요.",
    noLayer: (layer, names) =>
      `이 모델에는 '${layer}' 특성 맵 층이 없습니다. ${names.join(", ")} 중에서 고르세요.`,
    negativeFirst: "채널 번호는 0부터 시작합니다. 첫 채널을 0 이상으로 고르세요.",
    tooDeep: (layer, depth) =>
      `${layer} 층의 채널은 ${depth}개이고 번호는 0부터 ${depth - 1}까지입니다. ` +
      `${depth - 1} 이하의 채널을 고르세요.`,
    firstAfterLast: (first, last) =>
      `첫 채널(${first})이 마지막 채널(${last})보다 뒤에 있습니다. 첫 채널을 마지막 채널보다 ` +
      "크지 않게 고르세요.",
    tooMany: (count, most) =>
      `채널 ${count}개는 너무 많습니다. 탐색기는 한 번에 ${most}개까지 그리므로 범위를 ` +
      "좁히세요.",
    digitCaption: (digit, label) => `테스트 숫자 ${digit}번: 숫자 ${label}`,
    saysCaption: (answer, percent, correct) =>
      `모델의 답 ${answer} (${percent}): ${correct ? "정답" : "오답"}`,
    layerCaption: (layer, height, width, depth, first, last, vmax) =>
      `${layer} 층은 ${height}×${width}×${depth} 특성 맵을 출력합니다. 이 숫자의 채널 ${first}부터 ` +
      `${last}까지를 층 전체에 공통인 색 척도 하나로, 0(어두움)부터 ${vmax}(노랑)까지 그렸습니다.`,
  },
};
