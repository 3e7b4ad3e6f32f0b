// What the pooling explorer (pooling.js) says, by language. The English texts are
// convbook.pooling's and PoolingExplorer's, word for word.
export const poolingText = {
  en: {
    layer: "layer",
    channel: "channel",
    poolSize: "pool size",
    stride: "stride",
    mode: "mode",
    modes: { max: "max", average: "average" },
    layerOption: (name, height, width, channels) => `${name} (${height}x${width}, ${channels} channels)`,
    badMode: (mode) => `The mode must be 'max' or 'average', not '${mode}'.`,
    poolTooSmall: (size) =>
      `The pool size must be at least 1, not ${size}: a window holds at least one pixel.`,
    strideTooSmall: (stride) =>
      `The stride must be at least 1: with a stride of ${stride} the window would ` +
      `${stride === 0 ? "never move to a new position" : "move backwards, off the map"}.`,
    poolTooBig: (size, height, width, side) =>
      `A ${size}x${size} pool is larger than the ${height}x${width} map, so no window ` +
      `fits and there is no output. Use a pool size of at most ${side}.`,
    noLayer: (layer, names) => `There is no layer '${layer}': choose one of ${names.join(", ")}.`,
    noChannel: (layer, channels, channel) =>
      `The ${layer} map has ${channels === 1 ? "only channel 0" : `channels 0 to ${channels - 1}`}` +
      `: there is no channel ${channel}.`,
    ignored: (rows, cols) => {
      const last = (count, noun) => (count === 1 ? `the last ${noun}` : `the last ${count} ${noun}s`);
      const parts = [];
      if (rows) parts.push(last(rows, "row"));
      if (cols) parts.push(last(cols, "column"));
      if (!parts.length) return "";
      const one = parts.length === 1 && Math.max(rows, cols) === 1;
      const verb = one ? "falls in no window and is" : "fall in no window and are";
      const text = parts.join(" and ");
      return `${text[0].toUpperCase()}${text.slice(1)} ${verb} ignored (red).`;
    },
    summary: (height, width, rows, cols, count, size, stride, mode) =>
      `${height}x${width} → ${rows}x${cols}: ${count} ${count === 1 ? "window" : "windows"} of ` +
      `${size}x${size}, stride ${stride}, ${mode} pooling.`,
    mapCaption: (layer, channel, height, width) => `${layer} channel ${channel}, ${height}x${width}`,
    outputCaption: (rows, cols, mode) =>
      `output ${rows}x${cols}, the ${mode === "max" ? "max" : "mean"} of each window`,
    legend: (mode) =>
      "white: the windows; orange: the first window; black: its output pixel" +
      (mode === "max" ? "; black dots: the pixel each window keeps" : ""),
    mapLabel: (layer, channel, height, width, count, size, stride) =>
      `${layer} channel ${channel}, ${height}x${width}, with the ${count} pooling ` +
      `window${count === 1 ? "" : "s"} of ${size}x${size}, stride ${stride}`,
    outputLabel: (rows, cols, mode) => `the ${rows}x${cols} ${mode}-pooled map`,
  },
  ko: {
    layer: "층",
    channel: "채널",
    poolSize: "풀링 크기",
    stride: "스트라이드",
    mode: "방식",
    modes: { max: "최대", average: "평균" },
    layerOption: (name, height, width, channels) => `${name} (${height}x${width}, 채널 ${channels}개)`,
    badMode: (mode) => `방식은 'max'나 'average'여야 합니다. '${mode}' 값은 쓸 수 없습니다.`,
    poolTooSmall: (size) =>
      `풀링 크기는 1 이상이어야 합니다(지금은 ${size}). 윈도우에는 픽셀이 적어도 하나 들어갑니다.`,
    strideTooSmall: (stride) =>
      `스트라이드는 1 이상이어야 합니다. 스트라이드가 ${stride}이면 윈도우가 ` +
      `${stride === 0 ? "새 위치로 전혀 움직이지 않습니다" : "뒤로 움직여 맵 밖으로 나갑니다"}.`,
    poolTooBig: (size, height, width, side) =>
      `${size}x${size} 풀링 윈도우는 ${height}x${width} 맵보다 커서 들어갈 자리가 없으므로 ` +
      `출력도 없습니다. 풀링 크기를 ${side} 이하로 하세요.`,
    noLayer: (layer, names) => `'${layer}' 층은 없습니다. ${names.join(", ")} 중에서 고르세요.`,
    noChannel: (layer, channels, channel) =>
      `${layer} 맵에는 ${channels === 1 ? "채널 0만" : `채널 0부터 ${channels - 1}까지`} 있습니다. ` +
      `채널 ${channel}번은 없습니다.`,
    ignored: (rows, cols) => {
      const parts = [];
      if (rows) parts.push(`마지막 ${rows}행`);
      if (cols) parts.push(`마지막 ${cols}열`);
      if (!parts.length) return "";
      return `${parts.join("과 ")}은 어느 윈도우에도 들지 않아 무시됩니다(빨강).`;
    },
    summary: (height, width, rows, cols, count, size, stride, mode) =>
      `${height}x${width} → ${rows}x${cols}: ${size}x${size} 윈도우 ${count}개, ` +
      `스트라이드 ${stride}, ${mode === "max" ? "최대" : "평균"} 풀링.`,
    mapCaption: (layer, channel, height, width) => `${layer} 채널 ${channel}, ${height}x${width}`,
    outputCaption: (rows, cols, mode) =>
      `출력 ${rows}x${cols}, 각 윈도우의 ${mode === "max" ? "최댓값" : "평균"}`,
    legend: (mode) =>
      "흰색: 윈도우, 주황색: 첫 윈도우, 검은색: 그 출력 픽셀" +
      (mode === "max" ? ", 검은 점: 각 윈도우가 남기는 픽셀" : ""),
    mapLabel: (layer, channel, height, width, count, size, stride) =>
      `${layer} 채널 ${channel}, ${height}x${width}, ${size}x${size} 풀링 윈도우 ${count}개, ` +
      `스트라이드 ${stride}`,
    outputLabel: (rows, cols, mode) =>
      `${mode === "max" ? "최대" : "평균"} 풀링한 ${rows}x${cols} 맵`,
  },
};
