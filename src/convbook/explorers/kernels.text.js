// The names of the hand-made kernels (convbook.convolution.KERNEL_TEXT) as the kernel menus show
// them, by language. The menus' values stay the English names Python uses.
export const kernelNames = {
  en: {
    "vertical edge": "vertical edge",
    "horizontal edge": "horizontal edge",
    "blur": "blur",
    "sharpen": "sharpen",
    "diagonal \\": "diagonal \\",
    "your own (type below)": "your own (type below)",
  },
  ko: {
    "vertical edge": "수직 에지",
    "horizontal edge": "수평 에지",
    "blur": "흐림",
    "sharpen": "선명화",
    "diagonal \\": "대각선 \\",
    "your own (type below)": "내 커널 (아래에 입력)",
  },
};
