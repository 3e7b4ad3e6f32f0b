"""Inside a trained convnet: its kernels and the feature maps each layer computes for a digit.

- :func:`feature_layer_names` lists the layers that output feature maps (convolutions, pooling);
- :func:`layer_activations` runs digits through the model once and keeps every such layer's
  output, with the probabilities;
- :func:`plot_kernels` and :func:`plot_feature_maps` draw the first layer's kernels and a digit's
  feature maps, layer by layer;
- :func:`plot_explorer_overview` follows a few digits from pixels, through every layer, to the
  probabilities: the static counterpart of the model explorer
  (:class:`convbook.explorers.ModelExplorer`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convbook import silence_tensorflow

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = [
    "feature_layer_names",
    "layer_activations",
    "plot_kernels",
    "plot_feature_maps",
    "plot_explorer_overview",
]

_FEATURE_LAYER_TYPES = (
    keras.layers.Conv2D,
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
)


def feature_layer_names(model: keras.Model) -> list[str]:
    """Names of the layers that output feature maps (convolutions and pooling), in order."""
    return [layer.name for layer in model.layers if isinstance(layer, _FEATURE_LAYER_TYPES)]


def _check_layers(model: keras.Model, names: Sequence[str]) -> None:
    known = feature_layer_names(model)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"{unknown} are not feature-map layers of {model.name!r}; choose from {known}"
        )


def layer_activations(
    model: keras.Model,
    images: np.ndarray,
    layer_names: Sequence[str] | None = None,
    *,
    batch_size: int = 256,
) -> dict[str, np.ndarray]:
    """Run ``images`` through ``model`` once and keep what the chosen layers output.

    Returns a dict of layer name -> ``(n, height, width, channels)`` float32 array, with an extra
    entry ``"probabilities"``: the model's ``(n, classes)`` output, from the same pass.
    """
    names = list(layer_names) if layer_names is not None else feature_layer_names(model)
    _check_layers(model, names)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    probe = keras.Model(
        model.inputs, [model.get_layer(name).output for name in names] + [model.output]
    )
    outputs: list[list[np.ndarray]] = [[] for _ in range(len(names) + 1)]
    for start in range(0, len(images), batch_size):
        batch = probe.predict_on_batch(images[start : start + batch_size])
        for store, values in zip(outputs, batch):
            store.append(np.asarray(values))
    result = {name: np.concatenate(store) for name, store in zip(names, outputs)}
    result["probabilities"] = np.concatenate(outputs[-1])
    return result


def plot_kernels(kernels: np.ndarray, *, columns: int = 8, title: str | None = None) -> Figure:
    """Draw the 3x3 kernels of a first convolution layer, one small square each.

    ``kernels`` is a ``Conv2D`` kernel of shape ``(kh, kw, 1, filters)``. All kernels share one
    colour scale centred on zero: red weights reward ink, blue weights penalise it.
    """
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ValueError(
            f"expected a first-layer kernel of shape (kh, kw, 1, filters), got {kernels.shape}"
        )
    count = kernels.shape[-1]
    rows = -(-count // columns)
    limit = float(np.abs(kernels).max()) or 1.0
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.95, rows * 1.05), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= count:
            ax.set_axis_off()
            continue
        shown = ax.imshow(kernels[:, :, 0, index], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"{index}", fontsize=8)
    fig.colorbar(shown, ax=axes, fraction=0.02, pad=0.02, label="weight")
    if title:
        fig.suptitle(title)
    return fig


def plot_feature_maps(
    image: np.ndarray,
    maps: Mapping[str, np.ndarray],
    *,
    channels: int = 8,
    title: str | None = None,
) -> Figure:
    """One digit and its feature maps, a row per layer, the first ``channels`` of each layer.

    Args:
        image: the ``(28, 28)`` or ``(28, 28, 1)`` input.
        maps: layer name -> ``(height, width, depth)`` output for that one image, in layer order.
        channels: how many channels to show per layer.
        title: the figure's title.

    Each row shares one colour scale (0 to the row's largest value, over all its channels), so a
    channel that stays dark is one this digit hardly excites.
    """
    image = np.asarray(image)
    if image.ndim == 3:
        image = image[..., 0]
    rows = 1 + len(maps)
    fig, axes = plt.subplots(
        rows, channels + 1, figsize=(0.78 * (channels + 1) + 0.5, 0.85 * rows), squeeze=False,
        gridspec_kw={"width_ratios": [1.4] + [1] * channels},
    )
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    labels = [f"input\n{image.shape[0]}×{image.shape[1]}×1"]
    labels += [
        f"{name}\n{'×'.join(str(s) for s in values.shape)}" for name, values in maps.items()
    ]
    for row, label in enumerate(labels):
        axes[row, 0].set_axis_off()
        axes[row, 0].text(0.0, 0.5, label, va="center", ha="left", fontsize=9)
    axes[0, 1].imshow(image, cmap="gray_r")
    for ax in axes[0, 2:]:
        ax.set_axis_off()
    for row, values in enumerate(maps.values(), start=1):
        values = np.asarray(values, dtype=np.float32)
        high = float(values.max()) or 1.0
        for column in range(channels):
            ax = axes[row, column + 1]
            if column >= values.shape[-1]:
                ax.set_axis_off()
                continue
            ax.imshow(values[:, :, column], cmap="viridis", vmin=0, vmax=high)
            if row == 1:
                ax.set_title(f"ch {column}", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_explorer_overview(
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    outputs: Mapping[str, np.ndarray],
    *,
    indices: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """A row per digit, a column per layer, then the probabilities (the explorer, frozen).

    Args:
        images: the ``(n, 28, 28)`` or ``(n, 28, 28, 1)`` digits.
        labels: their true digits.
        outputs: :func:`layer_activations` of those digits (layer name -> maps, in layer order,
            and ``"probabilities"``).
        indices: their test-set numbers, written under each digit (default ``0 .. n-1``).
        title: the figure's title.

    Each layer's column shows the channel with the strongest single response to this digit (the
    largest value anywhere in its map), so a row reads as the digit's journey from pixels to
    probabilities. The model's answer is dark blue when right, red when wrong.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if len(images) == 0:
        raise ValueError("choose at least one digit")
    probabilities = np.asarray(outputs["probabilities"])
    if not len(images) == len(labels) == len(probabilities):
        raise ValueError(
            f"{len(images)} images, {len(labels)} labels and {len(probabilities)} rows of "
            "outputs: give the outputs of these images"
        )
    numbers = list(range(len(images))) if indices is None else [int(i) for i in indices]
    layers = [name for name in outputs if name != "probabilities"]
    columns = len(layers) + 2
    fig, axes = plt.subplots(
        len(images), columns, figsize=(0.95 * columns + 1.0, 1.25 * len(images)),
        squeeze=False, gridspec_kw={"width_ratios": [1] * (columns - 1) + [2]},
    )
    headers = ["input"] + [
        f"{layer}\n{outputs[layer].shape[1]}×{outputs[layer].shape[2]}" for layer in layers
    ]
    for column, header in enumerate(headers):
        axes[0, column].set_title(header, fontsize=8)
    for row, (image, label, number) in enumerate(zip(images, labels, numbers)):
        axes[row, 0].imshow(image, cmap="gray_r")
        axes[row, 0].set_xlabel(f"#{number}: a {label}", fontsize=8)
        for column, layer in enumerate(layers, start=1):
            maps = np.asarray(outputs[layer][row], dtype=np.float32)
            channel = int(maps.max(axis=(0, 1)).argmax())
            axes[row, column].imshow(maps[:, :, channel], cmap="viridis", vmin=0)
            axes[row, column].set_xlabel(f"ch {channel}", fontsize=7.5)
        shares = probabilities[row]
        predicted = int(shares.argmax())
        colours = ["#a9bcd6"] * len(shares)
        colours[predicted] = "#1f5fa8" if predicted == label else "#c0392b"
        bars = axes[row, -1]
        bars.bar(range(len(shares)), shares, color=colours)
        bars.set_ylim(0, 1)
        bars.set_xticks(range(len(shares)))
        bars.tick_params(labelsize=7, length=2)
        bars.set_yticks([])
        bars.set_xlabel(f"says {predicted} ({shares[predicted]:.0%})", fontsize=8)
        for ax in axes[row, :-1]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, -1].set_title("probabilities", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
