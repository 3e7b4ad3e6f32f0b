// What the digit pad (digit_pad.js) says, by language. The English messages are
// convbook.explorers.digit_pad's, word for word.
export const digitPadText = {
  en: {
    empty: "The pad is empty: draw a digit with the mouse, a pen or a finger, or pick a sample.",
    flat: "The whole pad is one shade, so there is no digit to find: press clear and draw one.",
    noInk: "Nothing on the pad stands out from its background: draw the digit with darker strokes.",
    channelRange: (last, depth, count) =>
      `The first channel shown must be from 0 to ${last}: the smallest layer has ${depth} ` +
      `channels, and the pad shows ${count} of each.`,
    pad: (size) => `drawing pad, ${size} by ${size} cells`,
    hint:
      "Draw with the mouse, a pen or a finger. Keyboard: Tab to the pad, arrows move the " +
      "orange square, Space or Enter inks it, Delete erases it, Shift+arrows draw.",
    clear: "clear",
    samples: "samples",
    samplesLabel: "samples:",
    sample: (label) => `sample ${label}`,
    pictureFile: "picture file",
    unreadable: "That file could not be read as a picture: choose a PNG or JPEG image.",
    channels: "feature maps: channels",
    channelsOption: (first, last) => `${first} to ${last}`,
    mapsNote:
      "Feature maps of each layer, on the layer's own scale from 0 (dark) to its largest " +
      "value (yellow):",
    croppedLabel: (height, width) => `your digit cropped to its ink, ${height} by ${width} cells`,
    scaledLabel: (height, width) => `scaled to ${height} by ${width} pixels`,
    centredLabel: "what the model sees: the digit centred by mass in 28 by 28 pixels",
    croppedCaption: (height, width) => `cropped: ${height}×${width}`,
    scaledCaption: (height, width) => `scaled: ${height}×${width}`,
    centredCaption: "centred: 28×28, what the model sees",
    saysCaption: (answer, percent) => `the model says ${answer} (${percent})`,
    layerCaption: (layer, height, width, depth, first, last, vmax) =>
      `${layer}: ${height}×${width}×${depth}, channels ${first} to ${last} (0 to ${vmax})`,
  },
  ko: {
    empty: "패드가 비어 있습니다. 마우스나 펜, 손가락으로 숫자를 그리거나 샘플을 고르세요.",
    flat: "패드 전체가 한 가지 색이라 찾을 숫자가 없습니다. 지우기를 누르고 숫자를 그리세요.",
    noInk: "패드에서 배경과 구별되는 획이 없습니다. 더 진한 획으로 숫자를 그리세요.",
    channelRange: (last, depth, count) =>
      `보여 줄 첫 채널은 0부터 ${last}까지여야 합니다. 가장 작은 층의 채널이 ${depth}개이고, ` +
      `패드는 층마다 채널을 ${count}개씩 보여 줍니다.`,
    pad: (size) => `그리기 패드, ${size}x${size} 칸`,
    hint:
      "마우스나 펜, 손가락으로 그리세요. 키보드: Tab으로 패드에 들어가 화살표로 주황색 " +
      "사각형을 옮기고, Space나 Enter로 칠하고, Delete로 지우고, Shift+화살표로 그립니다.",
    clear: "지우기",
    samples: "샘플",
    samplesLabel: "샘플:",
    sample: (label) => `샘플 ${label}`,
    pictureFile: "그림 파일",
    unreadable: "그 파일은 그림으로 읽을 수 없습니다. PNG나 JPEG 이미지를 고르세요.",
    channels: "특성 맵: 채널",
    channelsOption: (first, last) => `${first}부터 ${last}까지`,
    mapsNote: "층마다의 특성 맵입니다. 색은 층마다 따로, 0(어두움)부터 그 층의 최댓값(노랑)까지입니다:",
    croppedLabel: (height, width) => `획이 있는 부분만 잘라 낸 숫자, ${height}x${width} 칸`,
    scaledLabel: (height, width) => `${height}x${width} 픽셀로 크기를 조정한 숫자`,
    centredLabel: "모델이 보는 그림: 무게 중심을 28x28 픽셀의 가운데에 맞춘 숫자",
    croppedCaption: (height, width) => `잘라 냄: ${height}×${width}`,
    scaledCaption: (height, width) => `크기 조정: ${height}×${width}`,
    centredCaption: "가운데 맞춤: 28×28, 모델이 보는 그림",
    saysCaption: (answer, percent) => `모델의 답: ${answer} (${percent})`,
    layerCaption: (layer, height, width, depth, first, last, vmax) =>
      `${layer}: ${height}×${width}×${depth}, 채널 ${first}부터 ${last}까지 (0부터 ${vmax}까지)`,
  },
};
