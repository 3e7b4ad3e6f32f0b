"""Inside a trained convnet: its kernels and the feature maps each layer computes for a digit.

- :func:`feature_layer_names` lists the layers that output feature maps (convolutions, pooling);
- :func:`layer_activations` runs digits through the model once and keeps every such layer's
  output, with the probabilities;
- :func:`plot_kernels` and :func:`plot_feature_maps` draw the first layer's kernels and a digit's
  feature maps, layer by layer;
- :func:`class_similarity` measures how much more alike a layer's outputs are for two digits of
  the same class than for two of different classes;
- :func:`plot_explorer_overview` follows a few digits from pixels, through every layer, to the
  probabilities: the static counterpart of the model explorer
  (:class:`convbook.explorers.ModelExplorer`);
- :func:`inverted_kernel_check` checks the chapter's exercise that changes the first layer's
  kernels so that the convnet reads dark digits on light paper.

Every figure follows the book's visual language (:mod:`convbook.style`): kernels in the signed
map centred on zero, digits as ink, feature maps in the activation map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convbook import silence_tensorflow
from convbook.exercises import Check
from convbook.results import RIGHT_COLOUR, WRONG_COLOUR
from convbook.style import ACTIVATION_CMAP, INK_CMAP, SIGNED_CMAP, signed_limits

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = [
    "feature_layer_names",
    "layer_activations",
    "plot_kernels",
    "plot_feature_maps",
    "plot_explorer_overview",
    "class_similarity",
    "inverted_kernel_check",
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


def class_similarity(
    values: np.ndarray, labels: Sequence[int] | np.ndarray
) -> tuple[float, float]:
    """Mean cosine similarity of two examples of the same class, and of different classes.

    Each example (a digit's pixels, or a layer's whole output for it) is flattened into one
    vector; the cosine of two vectors is 1 for the same pattern at any strength and 0 for
    patterns with nothing in common (non-negative values never go below 0). Every pair of
    different examples counts once. Returns ``(same class, different classes)``.

    Raises:
        ValueError: fewer than two examples, no pair of the same class or no pair of different
            classes, or an example that is all zeros.
    """
    vectors = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    labels = np.asarray(labels).ravel()
    if len(vectors) != len(labels):
        raise ValueError(f"{len(vectors)} examples but {len(labels)} labels")
    if len(vectors) < 2:
        raise ValueError("give at least two examples")
    norms = np.linalg.norm(vectors, axis=1)
    if np.any(norms == 0):
        raise ValueError("an example is all zeros: its cosine with anything is undefined")
    unit = vectors / norms[:, None]
    cosines = unit @ unit.T
    first, second = np.triu_indices(len(vectors), k=1)
    same = labels[first] == labels[second]
    if same.all() or not same.any():
        raise ValueError("need pairs of the same class and pairs of different classes")
    pairs = cosines[first, second]
    return float(pairs[same].mean()), float(pairs[~same].mean())


def plot_kernels(kernels: np.ndarray, *, columns: int = 8, title: str | None = None) -> Figure:
    """Draw the 3x3 kernels of a first convolution layer, one small square each.

    ``kernels`` is a ``Conv2D`` kernel of shape ``(kh, kw, 1, filters)``. All kernels share one
    colour scale centred on zero (:data:`~convbook.style.SIGNED_CMAP`): red weights reward ink,
    blue weights penalise it, white is zero.
    """
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ValueError(
            f"expected a first-layer kernel of shape (kh, kw, 1, filters), got {kernels.shape}"
        )
    count = kernels.shape[-1]
    rows = -(-count // columns)
    low, high = signed_limits(kernels)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.95, rows * 1.05), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= count:
            ax.set_axis_off()
            continue
        shown = ax.imshow(kernels[:, :, 0, index], cmap=SIGNED_CMAP, vmin=low, vmax=high)
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
    axes[0, 1].imshow(image, cmap=INK_CMAP)
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
            ax.imshow(values[:, :, column], cmap=ACTIVATION_CMAP, vmin=0, vmax=high)
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
        axes[row, 0].imshow(image, cmap=INK_CMAP)
        axes[row, 0].set_xlabel(f"#{number}: a {label}", fontsize=8)
        for column, layer in enumerate(layers, start=1):
            maps = np.asarray(outputs[layer][row], dtype=np.float32)
            channel = int(maps.max(axis=(0, 1)).argmax())
            axes[row, column].imshow(maps[:, :, channel], cmap=ACTIVATION_CMAP, vmin=0)
            axes[row, column].set_xlabel(f"ch {channel}", fontsize=7.5)
        shares = probabilities[row]
        predicted = int(shares.argmax())
        colours = ["#a9bcd6"] * len(shares)
        colours[predicted] = RIGHT_COLOUR if predicted == label else WRONG_COLOUR
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


# -- exercises ---------------------------------------------------------------------------------


def _kernel_and_bias(answer: object, filters: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The answer as ``(kernel, bias)`` float arrays, or ``None`` if it is not a pair of them."""
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)):
        return None
    if len(answer) != 2:
        return None
    try:
        kernel = np.asarray(answer[0], dtype=np.float64)
        bias = np.asarray(answer[1], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if kernel.shape != (3, 3, 1, filters) or bias.size not in (1, filters):
        return None
    if not (np.all(np.isfinite(kernel)) and np.all(np.isfinite(bias))):
        return None
    return kernel, np.broadcast_to(bias.reshape(-1), (filters,))


def inverted_kernel_check(model: keras.Model, name: str = "Exercise 2") -> Check:
    """The check of the exercise "change ``conv1`` so that the model reads inverted digits".

    An inverted digit is ``1 - x``: dark ink on light paper. The answer is a pair ``(kernel,
    bias)`` for the model's first ``Conv2D`` layer (``conv1``, without padding) such that its
    response to ``1 - x`` equals the old layer's response to ``x`` everywhere. There is one such
    pair: since ``sum(w' * (1 - x)) + b' = sum(w') + b' - sum(w' * x)``, the kernel must be
    ``-w`` and the bias ``b + sum(w)``, each filter's sum over its own nine weights. (It is
    exact because ``conv1`` has no padding: every window lies on the picture.)
    """
    weights = model.get_layer("conv1").get_weights()
    kernel, bias = (np.asarray(values, dtype=np.float64) for values in weights)
    filters = kernel.shape[-1]
    sums = kernel.sum(axis=(0, 1, 2))

    def near(want_kernel: np.ndarray, want_bias: np.ndarray):
        def test(answer: object) -> bool:
            pair = _kernel_and_bias(answer, filters)
            return pair is not None and bool(
                np.allclose(pair[0], want_kernel, rtol=1e-4, atol=1e-6)
                and np.allclose(pair[1], want_bias, rtol=1e-4, atol=1e-6)
            )
        return test

    def single_bias_number(answer: object) -> bool:
        pair = _kernel_and_bias(answer, filters)
        return pair is not None and np.asarray(answer[1]).size == 1  # type: ignore[index]

    return Check(
        name=name,
        is_right=near(-kernel, bias + sums),
        kind=lambda answer: _kernel_and_bias(answer, filters) is not None,
        kind_text=f"a pair (kernel, bias): a kernel of shape (3, 3, 1, {filters}) and "
        f"{filters} biases, of finite numbers",
        hint="Write one response with the new weights on 1 - x, multiply out, and compare it "
        "with the old response on x, term by term.",
        explanation="The kernel changes sign and each bias gains its kernel's weight sum, so "
        "on 1 - x the new layer computes exactly what the old one computed on x. Every later "
        "layer sees the same maps, so the model reads inverted digits as it read the originals.",
        hints=(
            (near(kernel, bias),
             "Those are the weights as they are. On 1 - x every pixel's contribution changes "
             "sign: the kernel must change sign to undo that."),
            (near(-kernel, bias),
             "The kernel is right, but the paper is now 1 instead of 0, and the negated kernel "
             "picks up minus the sum of its weights from it at every position: give that back "
             "through the bias."),
            (near(-kernel, bias - sums),
             "Nearly: check the sign of the bias correction. The new kernel on 1 - x gives "
             "-sum(w) + sum(w * x), so the bias must add +sum(w)."),
            (near(-kernel, -bias),
             "The kernel is right, but the bias does not change sign: it must add each "
             "kernel's weight sum to the old bias."),
            (near(-kernel, bias + kernel.sum()),
             f"Each of the {filters} filters needs its own correction: sum each kernel's own "
             "nine weights, kernel.sum(axis=(0, 1, 2)), not all the weights together."),
            (single_bias_number,
             f"Each of the {filters} filters needs its own bias, {filters} numbers: the old "
             "bias plus that kernel's own weight sum."),
        ),
    )
