"""The Keras half of :mod:`convbook.connectivity`: a locally connected layer, and what one unit
of a model depends on.

- :class:`LocallyConnected2D` is a convolution whose weights are not shared: every output
  position has a kernel of its own. Keras 1 and 2 had such a layer; Keras 3 dropped it, so the
  course writes its own (checked against :func:`convbook.connectivity.locally_connected`, the
  definition, in ``tests/test_connectivity.py``).
- :func:`input_sensitivity` measures, with ``GradientTape``, how much one unit of a layer changes
  when each input pixel changes: the pixels where that is not zero are the unit's receptive
  field.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from convbook import silence_tensorflow

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.
import tensorflow as tf  # noqa: E402

__all__ = ["LocallyConnected2D", "input_sensitivity"]


@keras.saving.register_keras_serializable(package="convbook")
class LocallyConnected2D(keras.layers.Layer):
    """A 2-D convolution without weight sharing ("valid" padding, stride 1).

    Output ``(r, c, f)`` is ``bias[r, c, f] + sum over i, j, d of x[r + i, c + j, d] *
    kernel[r, c, i, j, d, f]``: the window at each position has its own weights and bias.

    Weights: ``kernel`` of shape ``(out_h, out_w, kh, kw, channels, filters)`` and ``bias`` of
    shape ``(out_h, out_w, filters)``, so the layer has ``out_h * out_w`` times the parameters of
    ``Conv2D(filters, kernel_size)``. The kernel starts random like a ``Conv2D`` kernel (Glorot
    uniform, counted over one window), the bias at zero.

    Args:
        filters: output channels.
        kernel_size: side of the square window.
        use_bias: whether to add the bias.
    """

    def __init__(self, filters: int, kernel_size: int, use_bias: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        if filters < 1 or kernel_size < 1:
            raise ValueError("filters and kernel_size must be at least 1")
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.use_bias = bool(use_bias)

    def build(self, input_shape: tuple) -> None:
        _, height, width, channels = input_shape
        k = self.kernel_size
        self.out_h, self.out_w = height - k + 1, width - k + 1
        if self.out_h < 1 or self.out_w < 1:
            raise ValueError(f"a {k}x{k} window does not fit in a {height}x{width} input")
        fan_in, fan_out = k * k * channels, k * k * self.filters
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.out_h, self.out_w, k, k, channels, self.filters),
            initializer=keras.initializers.RandomUniform(-limit, limit),
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.out_h, self.out_w, self.filters),
                            initializer="zeros")
            if self.use_bias else None
        )

    def call(self, x):
        k, rows, cols = self.kernel_size, self.out_h, self.out_w
        # patches[b, r, c, i, j, d] = x[b, r + i, c + j, d]: every window, at every position.
        patches = keras.ops.stack(
            [
                keras.ops.stack([x[:, i : i + rows, j : j + cols, :] for j in range(k)], axis=3)
                for i in range(k)
            ],
            axis=3,
        )
        y = keras.ops.einsum("brcijd,rcijdf->brcf", patches, self.kernel)
        return y + self.bias if self.use_bias else y

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        k = self.kernel_size
        return (input_shape[0], input_shape[1] - k + 1, input_shape[2] - k + 1, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "use_bias": self.use_bias}


def input_sensitivity(
    model: keras.Model, layer: str, row: int, col: int, image: np.ndarray, channel: int = 0
) -> np.ndarray:
    """``|d output / d pixel|`` for unit ``(row, col, channel)`` of ``layer``, for every pixel.

    The gradient is computed with ``GradientTape`` at ``image`` (``(28, 28)`` or ``(28, 28, 1)``);
    it is zero at every pixel the unit does not read, so its non-zero pixels show the unit's
    receptive field. With ReLU or max pooling some pixels inside the field may get a zero
    gradient too (a unit switched off, a window's non-maximal values); a model without them
    shows the whole field.

    Returns:
        ``(height, width)`` absolute gradient.
    """
    probe = keras.Model(model.input, model.get_layer(layer).output)
    x = tf.constant(np.asarray(image, dtype="float32").reshape(1, *model.input_shape[1:]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        unit = probe(x)[0, row, col, channel]
    gradient = tape.gradient(unit, x)
    return np.abs(gradient.numpy()[0, ..., 0])
