"""NumPy reference versions of the operations a convnet is built from.

They are written to be read: each follows the definition in the book, and the tests
check each against the Keras layer it explains (``Conv2D``, ``MaxPooling2D``,
``AveragePooling2D``).

Shapes follow Keras' ``channels_last`` convention: an image or feature map is
``(height, width, channels)``, optionally with leading batch axes, and a convolution
kernel is ``(kernel_height, kernel_width, in_channels, out_channels)``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "Padding",
    "output_size",
    "same_padding",
    "resolve_padding",
    "pad_spatial",
    "conv2d",
    "pool2d",
]

#: How a layer pads: Keras' names, ``"full"`` (every partial overlap), a number of
#: zeros on every side, or explicit ``(before, after)`` counts.
Padding = Literal["valid", "same", "full"] | int | tuple[int, int]

IntOrPair = int | tuple[int, int]


def _pair(value: IntOrPair, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise ValueError(
            f"{name} must be an integer or a pair of integers, got {value!r}"
        )
    return int(pair[0]), int(pair[1])


def output_size(
    input_size: int, kernel_size: int, stride: int = 1, padding: int = 0
) -> int:
    """Number of window positions along one axis: ``floor((i + 2p - k) / s) + 1``.

    Args:
        input_size: ``i``, pixels along the axis.
        kernel_size: ``k``, the window's extent along the axis.
        stride: ``s``, the step between two windows.
        padding: ``p``, zeros added on *each* side.

    Raises:
        ValueError: for sizes below 1, negative padding, or a window larger than the
            padded input (no position fits, so there is no output).
    """
    for name, value, smallest in (
        ("input size", input_size, 1),
        ("kernel size", kernel_size, 1),
        ("stride", stride, 1),
        ("padding", padding, 0),
    ):
        if value < smallest:
            raise ValueError(f"the {name} must be at least {smallest}, got {value}")
    padded = input_size + 2 * padding
    if kernel_size > padded:
        raise ValueError(
            f"a {kernel_size}-pixel window does not fit in {input_size} pixels "
            f"padded to {padded}: there is no output"
        )
    return (padded - kernel_size) // stride + 1


def same_padding(input_size: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """Zeros Keras (and TensorFlow) add before and after an axis for ``padding="same"``.

    The output has ``ceil(i / s)`` positions. The padding needed for that is split in
    two; when it is odd, the extra zero goes *after* the input (bottom or right).
    """
    if min(input_size, kernel_size, stride) < 1:
        raise ValueError("input size, kernel size and stride must all be at least 1")
    out = math.ceil(input_size / stride)
    total = max((out - 1) * stride + kernel_size - input_size, 0)
    return total // 2, total - total // 2


def resolve_padding(
    padding: Padding, input_size: int, kernel_size: int, stride: int = 1
) -> tuple[int, int]:
    """Turn any :data:`Padding` spelling into ``(before, after)`` zeros along one axis."""
    if isinstance(padding, str):
        name = padding.lower()
        if name == "valid":
            return 0, 0
        if name == "same":
            return same_padding(input_size, kernel_size, stride)
        if name == "full":
            return kernel_size - 1, kernel_size - 1
        raise ValueError(
            f"unknown padding {padding!r}: use 'valid', 'same', 'full' or a number"
        )
    before, after = _pair(padding, "padding")
    if before < 0 or after < 0:
        raise ValueError(f"padding cannot be negative, got {padding!r}")
    return before, after


def pad_spatial(
    x: np.ndarray, rows: tuple[int, int], cols: tuple[int, int], value: float = 0.0
) -> np.ndarray:
    """Pad the height and width axes of ``(..., H, W, C)`` with ``value``."""
    widths = [(0, 0)] * (x.ndim - 3) + [rows, cols, (0, 0)]
    return np.pad(x, widths, constant_values=value)


def _windows(
    x: np.ndarray,
    window: tuple[int, int],
    stride: tuple[int, int],
    padding: Padding,
    pad_value: float,
) -> np.ndarray:
    """All windows of ``(..., H, W, C)`` as ``(..., out_h, out_w, C, kh, kw)``."""
    if x.ndim < 3:
        raise ValueError(
            f"expected (..., height, width, channels), got shape {x.shape}"
        )
    height, width = x.shape[-3], x.shape[-2]
    if isinstance(padding, (int, np.integer)) or isinstance(padding, str):
        rows = resolve_padding(padding, height, window[0], stride[0])
        cols = resolve_padding(padding, width, window[1], stride[1])
    else:
        rows = cols = resolve_padding(padding, height, window[0], stride[0])
    for axis, size, k, s, (before, after) in (
        ("height", height, window[0], stride[0], rows),
        ("width", width, window[1], stride[1], cols),
    ):
        if size + before + after < k:
            raise ValueError(
                f"the {k}-pixel window is larger than the padded {axis} "
                f"({size} + {before} + {after}): there is no output"
            )
        if s < 1:
            raise ValueError(f"the stride must be at least 1, got {s}")
    padded = pad_spatial(x, rows, cols, pad_value)
    views = sliding_window_view(padded, window, axis=(-3, -2))
    return views[..., :: stride[0], :: stride[1], :, :, :]


def conv2d(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
) -> np.ndarray:
    """2-D convolution as deep-learning layers compute it: no kernel flip.

    Every output pixel ``(r, c)`` and filter ``f`` is the dot product of the window
    whose top-left corner sits at ``(r * stride, c * stride)`` in the padded input with
    ``kernel[..., f]``, plus ``bias[f]``.

    Args:
        x: input of shape ``(..., H, W, C_in)``.
        kernel: weights of shape ``(kh, kw, C_in, C_out)``, as in ``Conv2D.kernel``.
        bias: ``(C_out,)`` or ``None`` for no bias.
        stride: step between windows, one number or ``(rows, cols)``.
        padding: see :data:`Padding`.

    Returns:
        Array of shape ``(..., out_h, out_w, C_out)``.
    """
    x = np.asarray(x)
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(
            f"kernel must be (kh, kw, in_channels, out_channels), got {kernel.shape}"
        )
    if kernel.shape[2] != x.shape[-1]:
        raise ValueError(
            f"the kernel expects {kernel.shape[2]} input channels "
            f"but the input has {x.shape[-1]}"
        )
    windows = _windows(x, kernel.shape[:2], _pair(stride, "stride"), padding, 0.0)
    # windows: (..., out_h, out_w, C_in, kh, kw); kernel: (kh, kw, C_in, C_out)
    out = np.einsum("...cij,ijcf->...f", windows, kernel)
    if bias is not None:
        out = out + np.asarray(bias)
    return out


def pool2d(
    x: np.ndarray,
    pool_size: IntOrPair = 2,
    stride: IntOrPair | None = None,
    padding: Literal["valid", "same"] = "valid",
    mode: Literal["max", "average"] = "max",
) -> np.ndarray:
    """Max or average pooling of each channel, as ``MaxPooling2D``/``AveragePooling2D``.

    As in Keras, ``stride=None`` means a stride equal to the pool size (windows that
    touch but do not overlap). With ``padding="same"`` the padded pixels are ignored:
    they never win a maximum and are left out of an average.
    """
    x = np.asarray(x)
    window = _pair(pool_size, "pool_size")
    steps = window if stride is None else _pair(stride, "stride")
    if mode == "max":
        windows = _windows(x.astype(float), window, steps, padding, -np.inf)
        return windows.max(axis=(-2, -1)).astype(np.result_type(x, np.float32))
    if mode == "average":
        windows = _windows(x.astype(float), window, steps, padding, np.nan)
        return np.nanmean(windows, axis=(-2, -1)).astype(np.result_type(x, np.float32))
    raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
