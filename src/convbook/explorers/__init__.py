"""The course's interactive explorers, one module (Python) and one ``.js`` file (browser) each.

Every explorer computes and draws in the reader's browser, so it stays live in the HTML book with
no kernel, and its Python side lets a notebook read and set its settings (see
:mod:`convbook.explorers.base`). It speaks the page's language: its texts, in English and
Korean, are in a ``.text.js`` file beside its ``.js``.

- :class:`ConvolutionExplorer`: a 3x3 window sliding over a digit (chapter 1);
- :class:`EquivarianceExplorer`: shift a digit and watch a layer's map move with it (chapter
  "Why convolutions work");
- :class:`GeometryExplorer`: padding, strides and the output size (chapters 3 and 4);
- :class:`PoolingExplorer`: pooling a real feature map (chapter 5);
- :class:`ModelExplorer` and :class:`DigitPad`: the trained convnet, run in the browser (chapter 6).
- :class:`ProbeExplorer`: shift or hide part of a test digit, see the probabilities and the
  class-activation map change ("What the convnet sees").

Each class is imported on first use, so that ``from convbook.explorers import
ConvolutionExplorer`` does not load TensorFlow.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "ConvolutionExplorer": "convolution",
    "EquivarianceExplorer": "equivariance",
    "GeometryExplorer": "geometry",
    "PoolingExplorer": "pooling",
    "ModelExplorer": "model",
    "DigitPad": "digit_pad",
    "ProbeExplorer": "probe",
}

__all__ = list(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        module = importlib.import_module(f"convbook.explorers.{_HOMES[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'convbook.explorers' has no attribute {name!r}")
