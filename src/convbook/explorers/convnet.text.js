// What the convnet's pictures (convnet.js) say, by language, for the explorers that run the
// trained convnet: model.js, digit_pad.js and probe.js. heldDigits is
// convbook.explorers.model.describe_digits, word for word in English.
export const convnetText = {
  en: {
    mapLabel: (layer, channel) => `${layer} channel ${channel}`,
    mapCaption: (channel) => `ch ${channel}`,
    barLabel: (digit, percent, isTruth) => `${digit}: ${percent}${isTruth ? ", the true digit" : ""}`,
    barsLabel: (answer, truth) =>
      truth === null
        ? `the model's probability for each digit; it says ${answer}`
        : `the model's probability for each digit: it says ${answer}, the truth is ${truth}`,
    heldDigits: (run, others, wrong) => {
      const start = run === 1 ? "test digit 0" : `test digits 0 to ${run - 1}`;
      if (!others.length) return start;
      const listed = others.slice(0, 3).join(", ") + (others.length > 3 ? ", ..." : "");
      const kind = wrong ? " that the model gets wrong" : "";
      if (run === 0) {
        return `${others.length} ${others.length === 1 ? "test digit" : "test digits"}${kind} (${listed})`;
      }
      return `${start} and ${others.length} more${kind} (${listed})`;
    },
    holds: (held) => `This page holds ${held}: the test digit menu offers those.`,
  },
  ko: {
    mapLabel: (layer, channel) => `${layer} 채널 ${channel}`,
    mapCaption: (channel) => `채널 ${channel}`,
    barLabel: (digit, percent, isTruth) => `숫자 ${digit}: ${percent}${isTruth ? ", 정답" : ""}`,
    barsLabel: (answer, truth) =>
      truth === null
        ? `숫자별 모델의 확률. 모델의 답은 ${answer}`
        : `숫자별 모델의 확률. 모델의 답은 ${answer}, 정답은 ${truth}`,
    heldDigits: (run, others, wrong) => {
      const start = run === 1 ? "테스트 숫자 0" : `테스트 숫자 0부터 ${run - 1}까지`;
      if (!others.length) return start;
      const listed = others.slice(0, 3).join(", ") + (others.length > 3 ? ", ..." : "");
      const kind = wrong ? "모델이 틀리는 " : "";
      if (run === 0) return `${kind}테스트 숫자 ${others.length}개 (${listed})`;
      return `${start}, 그리고 ${kind}숫자 ${others.length}개 더 (${listed})`;
    },
    holds: (held) => `이 페이지에 담긴 숫자: ${held}. 테스트 숫자 메뉴에서 고를 수 있습니다.`,
  },
};
