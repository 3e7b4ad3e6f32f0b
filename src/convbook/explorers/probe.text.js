// What the probe explorer (probe.js) says, by language. The English texts are
// convbook.explorers.probe's, word for word; `held` describes the digits the page holds
// (convnet.js describeDigits). `models` names the models of the chapter "What the convnet
// sees"; a model with another name shows its name.
import { plural } from "./common.js";

export const probeText = {
  en: {
    model: "model",
    models: { "convnet": "convnet", "convnet trained with shifts": "convnet trained with shifts" },
    testDigit: "test digit",
    digitOption: (index, label) => `#${index}: a ${label}`,
    change: "change",
    changes: { shift: "shift the digit", occlude: "hide a patch" },
    down: "rows down",
    right: "columns right",
    patchSize: "patch size",
    patchRow: "patch row",
    patchColumn: "patch column",
    target: "map for",
    targets: { answer: "its answer", truth: "the true digit" },
    digitTarget: (digit) => `digit ${digit}`,
    yourChoice: "your choice",
    offImage: (direction, digit, room, amount) => {
      const down = direction === "down" || direction === "up";
      const where = { down: "below", up: "above", right: "to the right of", left: "to the left of" };
      const toward = down ? direction : `to the ${direction}`;
      const limit = room
        ? `move it at most ${plural(room, "pixel")} ${toward}`
        : `it cannot move ${toward} at all`;
      return (
        `Test digit ${digit} has ${plural(room, down ? "blank row" : "blank column")} ` +
        `${where[direction]} its ink, so moving it ${plural(amount, "pixel")} ${toward} would ` +
        `push ink off the image: ${limit}.`
      );
    },
    patchTooSmall: "A patch must be at least 1 pixel wide: choose a size of 1 or more.",
    patchTooWide: (side) => `A patch wider than ${side} pixels cannot fit in the ${side}x${side} image.`,
    patchPastEdge: (axis, size, value, side, last) =>
      `A ${size}x${size} patch whose top-left corner is in ${axis} ${value} would cover ` +
      `${axis}s ${value} to ${value + size - 1}, past the edge of the ${side}-pixel image: ` +
      `the last ${axis} where it fits is ${last}.`,
    noModel: (network, names) => `There is no model '${network}': choose one of ${names.join(", ")}.`,
    notOnPage: (digit, held) =>
      `Test digit ${digit} is not in this page, which holds ${held}. To probe any other ` +
      "test digit, run the notebook and give ProbeExplorer its index.",
    badChange: (change) => `Choose 'shift' or 'occlude', not '${change}'.`,
    badTarget: (target) =>
      `Compute the map for 'answer', 'truth' or a digit from 0 to 9, not '${target}'.`,
    moved: (down, right) => {
      const parts = [];
      if (down) parts.push(`${plural(Math.abs(down), "pixel")} ${down > 0 ? "down" : "up"}`);
      if (right) {
        parts.push(`${plural(Math.abs(right), "pixel")} to the ${right > 0 ? "right" : "left"}`);
      }
      return parts.length ? `moved ${parts.join(" and ")}` : "as it is";
    },
    patched: (size, top, left) => {
      // "a" or "an" before a whole number below 100 written in digits.
      const article = String(size).startsWith("8") || size === 11 || size === 18 ? "an" : "a";
      return `${article} ${size}x${size} grey patch at row ${top}, column ${left}`;
    },
    digitCaption: (digit, label, done) => `test digit ${digit}, a ${label}: ${done}`,
    saysCaption: (network, answer, percent, correct) =>
      `${network} says ${answer} (${percent}): ${correct ? "right" : "wrong"}`,
    camCaption: (layer, target, whose, peak) =>
      `Grad-CAM of ${layer} for ${target} (${whose}): 0 to ${peak}`,
    emptyCamCaption: (layer, target, whose) =>
      `Grad-CAM of ${layer} for ${target} (${whose}): empty, 0 everywhere`,
    scoreCaption: (target, total, reach) =>
      `score map for ${target}: ${total} in all; red for, blue against (up to ${reach})`,
  },
  ko: {
    model: "모델",
    models: { "convnet": "컨브넷", "convnet trained with shifts": "이동한 숫자로 훈련한 컨브넷" },
    testDigit: "테스트 숫자",
    digitOption: (index, label) => `#${index}: 숫자 ${label}`,
    change: "조작",
    changes: { shift: "숫자 이동", occlude: "패치로 가리기" },
    down: "아래로 옮길 행",
    right: "오른쪽으로 옮길 열",
    patchSize: "패치 크기",
    patchRow: "패치 행",
    patchColumn: "패치 열",
    target: "맵 대상",
    targets: { answer: "모델의 답", truth: "정답 숫자" },
    digitTarget: (digit) => `숫자 ${digit}`,
    yourChoice: "직접 고른 숫자",
    offImage: (direction, digit, room, amount) => {
      const unit = direction === "down" || direction === "up" ? "행" : "열";
      const where = { down: "아래에", up: "위에", right: "오른쪽에", left: "왼쪽에" }[direction];
      const toward = { down: "아래로", up: "위로", right: "오른쪽으로", left: "왼쪽으로" }[direction];
      const limit = room
        ? `${toward} 최대 ${room}픽셀까지만 옮길 수 있습니다`
        : `${toward}는 전혀 옮길 수 없습니다`;
      return (
        `테스트 숫자 ${digit}번은 획 ${where} 빈 ${unit}이 ${room}개 있으므로, ${toward} ` +
        `${amount}픽셀 옮기면 획이 이미지 밖으로 밀려납니다. ${limit}.`
      );
    },
    patchTooSmall: "패치의 너비는 1픽셀 이상이어야 합니다. 크기를 1 이상으로 고르세요.",
    patchTooWide: (side) =>
      `${side}픽셀보다 넓은 패치는 ${side}x${side} 이미지에 들어가지 않습니다.`,
    patchPastEdge: (axis, size, value, side, last) => {
      const unit = axis === "row" ? "행" : "열";
      return (
        `왼쪽 위 모서리가 ${value}${unit}에 있는 ${size}x${size} 패치는 ${value}${unit}부터 ` +
        `${value + size - 1}${unit}까지 덮으므로 ${side}픽셀 이미지의 가장자리를 넘어갑니다. ` +
        `패치가 들어가는 마지막 ${unit}은 ${last}${unit}입니다.`
      );
    },
    noModel: (network, names) => `'${network}' 모델은 없습니다. ${names.join(", ")} 중에서 고르세요.`,
    notOnPage: (digit, held) =>
      `테스트 숫자 ${digit}번은 이 페이지에 없습니다(이 페이지에 담긴 숫자: ${held}). 다른 테스트 ` +
      "숫자를 살펴보려면 노트북을 실행하고 ProbeExplorer에 그 인덱스를 주세요.",
    badChange: (change) => `'shift'나 'occlude'를 고르세요. '${change}' 값은 쓸 수 없습니다.`,
    badTarget: (target) =>
      `맵은 'answer', 'truth' 또는 0부터 9까지의 숫자에 대해 계산합니다. '${target}' 값은 쓸 수 ` +
      "없습니다.",
    moved: (down, right) => {
      const parts = [];
      if (down) parts.push(`${down > 0 ? "아래로" : "위로"} ${Math.abs(down)}픽셀`);
      if (right) parts.push(`${right > 0 ? "오른쪽으로" : "왼쪽으로"} ${Math.abs(right)}픽셀`);
      return parts.length ? `${parts.join(", ")} 이동` : "그대로";
    },
    patched: (size, top, left) => `${top}행 ${left}열에 ${size}x${size} 회색 패치`,
    digitCaption: (digit, label, done) => `테스트 숫자 ${digit}번(숫자 ${label}): ${done}`,
    saysCaption: (network, answer, percent, correct) =>
      `${network}의 답 ${answer} (${percent}): ${correct ? "정답" : "오답"}`,
    camCaption: (layer, target, whose, peak) =>
      `${target}에 대한 ${layer}의 Grad-CAM (${whose}): 0부터 ${peak}까지`,
    emptyCamCaption: (layer, target, whose) =>
      `${target}에 대한 ${layer}의 Grad-CAM (${whose}): 비어 있음, 모든 곳이 0`,
    scoreCaption: (target, total, reach) =>
      `${target}에 대한 점수 맵: 합계 ${total}, 빨강은 찬성, 파랑은 반대 (최대 ${reach})`,
  },
};
