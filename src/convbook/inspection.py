"""What a trained convnet sees, and where it fails: shifts, receptive fields, explanations.

The helpers of the chapter "What the convnet sees":

- **invariance**: :func:`shift_images` moves digits by whole pixels (exactly, with blank
  pixels coming in), :func:`shift_accuracy` measures a model's accuracy as the test digits
  move, :class:`ShiftedBatches` trains on randomly shifted digits (data augmentation) and
  :func:`train_model` builds, trains and times one model quietly;
- **the hierarchy**: :func:`field_centres` says where in the image each unit of a layer looks,
  :func:`top_patches` finds the test-image patches that excite a layer's units most, and
  :func:`label_purity` measures how much those patches agree on a digit class;
- **explanations**: :func:`occlusion_map` slides a grey patch over a digit and records how the
  probability of a class falls, :func:`grad_cam` computes a class-activation map with
  TensorFlow's gradients, :func:`cam_weights` and :func:`closed_form_cam` the same map in closed
  form for the heads of this course (``Flatten`` or global average pooling, then one ``Dense``
  layer), and :func:`upsample_cam` lays a map over the input's pixels;
- **kernels**: :func:`oriented_presets` turns chapter 1's hand-made kernels into every
  orientation, and :func:`match_kernels` finds each learned kernel's most similar one;
- the figures of the chapter (``plot_*``) and the checks of its exercises (``exercise_*``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convbook import silence_tensorflow
from convbook.exercises import Check, number_check
from convbook.style import (
    ACTIVATION_CMAP,
    INK_CMAP,
    SERIES_COLOURS,
    SIGNED_CMAP,
    WINDOW_COLOUR,
    curve_style,
    signed_limits,
)
from convbook.training import ShuffledBatches

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = [
    "DIRECTIONS",
    "shift_images",
    "ink_margins",
    "shift_accuracy",
    "mean_at_distance",
    "answer_changes",
    "ShiftedBatches",
    "TrainedModel",
    "train_model",
    "field_centres",
    "TopPatches",
    "top_patches",
    "label_purity",
    "Occlusion",
    "occlusion_map",
    "grad_cam",
    "score_map",
    "cam_weights",
    "closed_form_cam",
    "upsample_cam",
    "oriented_presets",
    "KernelMatch",
    "match_kernels",
    "plot_shifted_digits",
    "plot_shift_curves",
    "plot_top_patches",
    "plot_kernel_matches",
    "plot_explanations",
    "plot_probe_overview",
    "exercise_gap_parameters",
    "exercise_equivariant_shift",
    "exercise_black_patch",
    "exercise_augmented_dense",
]

#: The three directions the chapter shifts digits in: (rows, columns) moved per step. Positive
#: shifts move a digit down and to the right.
DIRECTIONS: dict[str, tuple[int, int]] = {
    "horizontal": (0, 1),
    "vertical": (1, 0),
    "diagonal": (1, 1),
}


# -- shifting digits --------------------------------------------------------------------------


def _shift_one(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Shift every image of ``images`` (n, H, W, ...) by the same ``rows`` and ``cols``."""
    out = np.zeros_like(images)
    height, width = images.shape[1:3]
    if abs(rows) >= height or abs(cols) >= width:
        return out
    target_rows = slice(max(rows, 0), height + min(rows, 0))
    source_rows = slice(max(-rows, 0), height - max(rows, 0))
    target_cols = slice(max(cols, 0), width + min(cols, 0))
    source_cols = slice(max(-cols, 0), width - max(cols, 0))
    out[:, target_rows, target_cols] = images[:, source_rows, source_cols]
    return out


def shift_images(
    images: np.ndarray,
    rows: int | Sequence[int] | np.ndarray,
    cols: int | Sequence[int] | np.ndarray,
) -> np.ndarray:
    """Move images by whole pixels: ``rows`` down and ``cols`` to the right (negative: up, left).

    The pixels that come in from the border are 0 (background) and those pushed past the border
    are lost, so the result has the input's shape and dtype. Exactly::

        out[k, r, c] = images[k, r - rows_k, c - cols_k]   where that pixel exists, else 0.

    Args:
        images: ``(n, height, width)`` or ``(n, height, width, channels)``; one ``(height,
            width)`` image is also accepted and returned as such.
        rows, cols: one shift for every image, or one per image (sequences of length ``n``).
    """
    images = np.asarray(images)
    single = images.ndim == 2
    batch = images[np.newaxis] if single else images
    if batch.ndim not in (3, 4):
        raise ValueError(
            f"expected images of shape (n, height, width[, channels]), got {images.shape}"
        )
    count = len(batch)
    row_shifts = np.broadcast_to(np.asarray(rows, dtype=np.int64), (count,))
    col_shifts = np.broadcast_to(np.asarray(cols, dtype=np.int64), (count,))
    out = np.zeros_like(batch)
    pairs = np.stack([row_shifts, col_shifts], axis=1)
    for pair in np.unique(pairs, axis=0):
        chosen = np.flatnonzero((pairs == pair).all(axis=1))
        out[chosen] = _shift_one(batch[chosen], int(pair[0]), int(pair[1]))
    return out[0] if single else out


def ink_margins(image: np.ndarray) -> tuple[int, int, int, int]:
    """Blank rows above and below, and blank columns left and right, of one image's ink.

    A digit can move by up to these many pixels in each direction without losing any ink: the
    ``(up, down, left, right)`` limits of a shift. A blank image returns its full size four times.
    """
    image = np.asarray(image)
    if image.ndim == 3:
        image = image[..., 0]
    rows = np.flatnonzero(image.max(axis=1) > 0)
    cols = np.flatnonzero(image.max(axis=0) > 0)
    height, width = image.shape
    if rows.size == 0:
        return height, height, width, width
    return (int(rows[0]), int(height - 1 - rows[-1]), int(cols[0]), int(width - 1 - cols[-1]))


def _predict_classes(model: keras.Model, images: np.ndarray, batch_size: int) -> np.ndarray:
    answers = [
        np.asarray(model.predict_on_batch(images[start : start + batch_size])).argmax(axis=1)
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(answers)


def shift_accuracy(
    model: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    shifts: Sequence[int],
    directions: Mapping[str, tuple[int, int]] = DIRECTIONS,
    *,
    batch_size: int = 1000,
) -> dict[str, np.ndarray]:
    """Accuracy of ``model`` on ``images`` moved by each of ``shifts`` pixels, per direction.

    Returns direction name -> array of accuracies, one per shift, in the order of ``shifts``
    (a shift ``s`` in direction ``(dr, dc)`` moves every image ``s * dr`` rows and ``s * dc``
    columns). The unshifted images are classified once and shared by every direction.
    """
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    cache: dict[tuple[int, int], float] = {}
    result: dict[str, np.ndarray] = {}
    for name, (step_rows, step_cols) in directions.items():
        accuracies = []
        for shift in shifts:
            key = (int(shift) * step_rows, int(shift) * step_cols)
            if key not in cache:
                moved = shift_images(images, *key)
                cache[key] = float(np.mean(_predict_classes(model, moved, batch_size) == labels))
            accuracies.append(cache[key])
        result[name] = np.array(accuracies)
    return result


def mean_at_distance(
    curve: Mapping[str, np.ndarray], shifts: Sequence[int], distance: int
) -> float:
    """The mean accuracy of one :func:`shift_accuracy` result over every move by ``distance``
    pixels: ``+distance`` and ``-distance`` in each of its directions."""
    shifts = list(shifts)
    where = [shifts.index(distance), shifts.index(-distance)]
    return float(np.mean([curve[name][spot] for name in curve for spot in where]))


def answer_changes(model: keras.Model, images: np.ndarray, *, batch_size: int = 1000) -> float:
    """The share of ``images`` whose answer changes when the image moves by a single pixel.

    Each image is moved one pixel up, down, left and right; it counts if any of the four answers
    differs from the answer for the image as it is (Azulay and Weiss, 2019, measure the same).
    """
    images = np.asarray(images, dtype=np.float32)
    answers = _predict_classes(model, images, batch_size)
    changed = np.zeros(len(images), dtype=bool)
    for rows, cols in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        moved = _predict_classes(model, shift_images(images, rows, cols), batch_size)
        changed |= moved != answers
    return float(changed.mean())


class ShiftedBatches(ShuffledBatches):
    """:class:`~convbook.training.ShuffledBatches` whose digits are moved at random: augmentation.

    At the start of every epoch, each training image is shifted by a whole number of rows and of
    columns drawn uniformly from ``-max_shift`` to ``max_shift`` (:func:`shift_images`), so in
    every epoch the model sees each digit in a new place. The draws come from
    ``numpy.random.default_rng([seed, 1])``: two runs see the same shifted batches.

    The epoch's shifted images are made all at once and kept (one more copy of ``x``): shifting
    batch by batch, in the thread that feeds ``fit``, would slow training down about twice.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int = 64,
        seed: int = 0,
        max_shift: int = 4,
    ) -> None:
        super().__init__(x, y, batch_size, seed)
        if max_shift < 0:
            raise ValueError(f"max_shift must be 0 or more, got {max_shift}")
        self.max_shift = int(max_shift)
        self.original = x
        self._shifts = np.random.default_rng([seed, 1])
        self._move()

    def _move(self) -> None:
        """Draw this epoch's shifts and make the shifted images."""
        moves = self._shifts.integers(
            -self.max_shift, self.max_shift + 1, size=(len(self.original), 2)
        )
        self.moves = moves
        self.x = shift_images(self.original, moves[:, 0], moves[:, 1])

    def on_epoch_end(self) -> None:
        super().on_epoch_end()
        self._move()


@dataclass(frozen=True)
class TrainedModel:
    """One model trained by :func:`train_model`.

    Attributes:
        name: what the chapter calls it ("convnet, GAP head").
        seed: the seed it was built and trained with.
        max_shift: the largest random shift of its training digits (0: no augmentation).
        history: Keras' ``History.history``.
        seconds: wall-clock seconds of the training.
        initial_kernels: the first ``Conv2D`` layer's kernels before training (``None`` for a
            model without convolutions).
        model: the trained Keras model.
    """

    name: str
    seed: int
    max_shift: int
    history: dict[str, list[float]]
    seconds: float
    initial_kernels: np.ndarray | None = field(repr=False)
    model: keras.Model = field(repr=False, compare=False)


def _first_conv(model: keras.Model) -> keras.layers.Conv2D | None:
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            return layer
    return None


def train_model(
    build: Callable[[], keras.Model],
    x: np.ndarray,
    y: np.ndarray,
    *,
    name: str,
    seed: int,
    epochs: int = 2,
    max_shift: int = 0,
    batch_size: int = 64,
) -> TrainedModel:
    """Build a model with ``build()``, compile it as the course does and train it quietly.

    ``keras.utils.set_random_seed(seed)`` runs before the model is built, so its initial weights
    and its batches are the same on every run; with ``max_shift > 0`` it trains on
    :class:`ShiftedBatches`, otherwise on :class:`~convbook.training.ShuffledBatches`.
    """
    if epochs < 1:
        raise ValueError(f"train for at least one epoch, got {epochs}")
    from convbook.models import compile_for_mnist

    keras.utils.set_random_seed(seed)
    model = compile_for_mnist(build())
    conv = _first_conv(model)
    initial = None if conv is None else np.array(conv.kernel.numpy())
    batches = (
        ShiftedBatches(x, y, batch_size, seed=seed, max_shift=max_shift)
        if max_shift
        else ShuffledBatches(x, y, batch_size, seed=seed)
    )
    started = time.perf_counter()
    history = model.fit(batches, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    return TrainedModel(
        name=name,
        seed=seed,
        max_shift=max_shift,
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        seconds=seconds,
        initial_kernels=initial,
        model=model,
    )


# -- receptive fields and the patches that excite a unit ----------------------------------------


def field_centres(model: keras.Model, layer: str) -> tuple[int, int, np.ndarray]:
    """Receptive-field size and jump of ``layer``, and the input coordinate of each unit's centre.

    For a network of ``padding="valid"`` layers, unit ``i`` of the layer reads input pixels
    ``jump * i`` to ``jump * i + size - 1``, so its field is centred on
    ``jump * i + (size - 1) / 2`` (the same along rows and columns). Returns
    ``(size, jump, centres)``.
    """
    from convbook.models import receptive_fields

    for view in receptive_fields(model):
        if view.name == layer:
            centres = view.jump * np.arange(view.output_size) + (view.size - 1) / 2
            return view.size, view.jump, centres
    names = [view.name for view in receptive_fields(model)]
    raise ValueError(
        f"{layer!r} is not a convolution or pooling layer of the model; choose from {names}"
    )


@dataclass(frozen=True)
class TopPatches:
    """The test-image patches that excite some units of a layer most.

    Attributes:
        layer: the layer's name.
        size, jump: its receptive-field size and jump (:func:`field_centres`).
        channels: the channels (units) shown, one row each.
        images: ``(channels, count)`` indices of the images, strongest first.
        positions: ``(channels, count, 2)`` unit row and column of the strongest response.
        values: ``(channels, count)`` those responses.
        patches: ``(channels, count, size, size)`` the input pixels in the unit's receptive field.
    """

    layer: str
    size: int
    jump: int
    channels: tuple[int, ...]
    images: np.ndarray
    positions: np.ndarray
    values: np.ndarray
    patches: np.ndarray


def top_patches(
    model: keras.Model,
    images: np.ndarray,
    layer: str,
    *,
    channels: int | Sequence[int] = 4,
    count: int = 6,
    batch_size: int = 250,
) -> TopPatches:
    """For some channels of ``layer``, the ``count`` images that excite them most, and where.

    A channel's response to an image is its largest value anywhere in the image's feature map;
    each image is used at most once per channel (at the place of that largest value), so the
    patches of a row come from ``count`` different digits. The patch is the part of the image the
    unit at that place reads: its receptive field, ``size`` x ``size`` pixels.

    Args:
        channels: the channels to show, or how many: then the first ones that respond at all (a
            channel whose largest response over all the images is 0 is skipped).
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    size, jump, _ = field_centres(model, layer)
    probe = keras.Model(model.inputs, model.get_layer(layer).output)
    peaks, places = [], []
    for start in range(0, len(images), batch_size):
        maps = np.asarray(probe.predict_on_batch(images[start : start + batch_size]))
        flat = maps.reshape(len(maps), -1, maps.shape[-1])
        peaks.append(flat.max(axis=1))
        places.append(flat.argmax(axis=1))
    peak, place = np.concatenate(peaks), np.concatenate(places)
    width = int(model.get_layer(layer).output.shape[2])
    if isinstance(channels, (int, np.integer)):
        alive = np.flatnonzero(peak.max(axis=0) > 0)
        chosen = tuple(int(c) for c in alive[: int(channels)])
    else:
        chosen = tuple(int(c) for c in channels)
    order = np.argsort(-peak[:, list(chosen)], axis=0, kind="stable")[:count].T  # (channels, count)
    values = np.take_along_axis(peak[:, list(chosen)].T, order, axis=1)
    flat_places = np.take_along_axis(place[:, list(chosen)].T, order, axis=1)
    positions = np.stack([flat_places // width, flat_places % width], axis=-1)
    patches = np.zeros((len(chosen), order.shape[1], size, size), dtype=np.float32)
    for row in range(len(chosen)):
        for column in range(order.shape[1]):
            r, c = positions[row, column] * jump
            patches[row, column] = images[order[row, column], r : r + size, c : c + size, 0]
    return TopPatches(layer, size, jump, chosen, order, positions, values, patches)


def label_purity(labels: np.ndarray, top: TopPatches) -> float:
    """How much the images that excite each unit most agree on a class, averaged over units.

    For every channel of ``top``, the share of its images whose label is the most common one
    among them (1.0: all the same digit; about 0.1 to 0.3: no preference), then the mean.
    """
    labels = np.asarray(labels)
    shares = []
    for row in top.images:
        counts = np.bincount(labels[row], minlength=10)
        shares.append(counts.max() / len(row))
    return float(np.mean(shares))


# -- occlusion -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occlusion:
    """What a sliding grey patch does to the probability of one class.

    Attributes:
        size, stride, fill: the patch's side, its step, and the grey level painted.
        label: the class whose probability is recorded.
        base: the model's probability of ``label`` for the intact image.
        probabilities: ``(rows, cols)`` the probability with the patch's top-left corner at
            ``(stride * i, stride * j)``.
        drop: ``(height, width)``: for every pixel, ``base`` minus the mean probability over the
            patch positions that cover it (0 where no patch reaches).
    """

    size: int
    stride: int
    fill: float
    label: int
    base: float
    probabilities: np.ndarray
    drop: np.ndarray


def occlusion_map(
    model: keras.Model,
    image: np.ndarray,
    label: int,
    *,
    size: int = 6,
    stride: int = 1,
    fill: float = 0.5,
    batch_size: int = 600,
) -> Occlusion:
    """Slide a ``size`` x ``size`` patch of grey level ``fill`` over ``image`` and record the
    probability the model gives ``label`` at every position (Zeiler and Fergus, 2014).

    A patch of size 0 hides nothing: every probability is then the model's own, ``base``.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3:
        image = image[..., 0]
    height, width = image.shape
    if not 0 <= size <= min(height, width) or stride < 1:
        raise ValueError(
            f"the patch must fit the {height}x{width} image with a stride of 1 or more"
        )
    rows = range(0, height - size + 1, stride)
    cols = range(0, width - size + 1, stride)
    occluded = np.repeat(image[np.newaxis], len(rows) * len(cols), axis=0)
    for k, (r, c) in enumerate((r, c) for r in rows for c in cols):
        occluded[k, r : r + size, c : c + size] = fill
    batch = np.concatenate([image[np.newaxis], occluded])[..., np.newaxis]
    outputs = np.concatenate(
        [
            np.asarray(model.predict_on_batch(batch[start : start + batch_size]))
            for start in range(0, len(batch), batch_size)
        ]
    )
    base = float(outputs[0, label])
    probabilities = outputs[1:, label].reshape(len(rows), len(cols))
    total = np.zeros((height, width))
    covered = np.zeros((height, width))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            total[r : r + size, c : c + size] += probabilities[i, j]
            covered[r : r + size, c : c + size] += 1
    mean = np.divide(total, covered, out=np.full((height, width), base), where=covered > 0)
    return Occlusion(size, stride, float(fill), int(label), base, probabilities, base - mean)


# -- class-activation maps ---------------------------------------------------------------------


def _head_after(model: keras.Model, layer: str) -> list[keras.layers.Layer]:
    names = [each.name for each in model.layers]
    if layer not in names:
        raise ValueError(f"the model has no layer {layer!r}")
    head = model.layers[names.index(layer) + 1 :]
    if not head or not isinstance(head[-1], keras.layers.Dense):
        raise ValueError("the model must end with a Dense layer")
    return head


def _logits(head: Sequence[keras.layers.Layer], maps: Any) -> Any:
    """The class scores before the softmax: the head's layers, the last without activation."""
    x = maps
    for each in head[:-1]:
        x = each(x)
    last = head[-1]
    return keras.ops.matmul(x, last.kernel) + last.bias


def _gradients(
    model: keras.Model, images: np.ndarray, classes: Sequence[int] | np.ndarray, layer: str
) -> tuple[np.ndarray, np.ndarray]:
    """``layer``'s maps for ``images`` and the gradient of each image's class score (before the
    softmax) with respect to them, from TensorFlow's ``GradientTape``: two ``(n, h, w, K)``."""
    import tensorflow as tf

    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    head = _head_after(model, layer)
    features = keras.Model(model.inputs, model.get_layer(layer).output)
    maps = tf.convert_to_tensor(features.predict_on_batch(images))
    chosen = tf.convert_to_tensor(np.asarray(classes, dtype=np.int32))
    with tf.GradientTape() as tape:
        tape.watch(maps)
        scores = tf.gather(_logits(head, maps), chosen, axis=1, batch_dims=1)
    return maps.numpy(), tape.gradient(scores, maps).numpy()


def grad_cam(
    model: keras.Model,
    images: np.ndarray,
    classes: Sequence[int] | np.ndarray,
    layer: str = "conv3",
) -> tuple[np.ndarray, np.ndarray]:
    """Grad-CAM (Selvaraju et al., 2017) of each image for its class in ``classes``.

    With ``A`` the ``layer``'s feature maps (``h`` x ``w`` x ``K``) and ``z_c`` the class score
    before the softmax, each channel gets the weight ``alpha_k = mean over (i, j) of
    dz_c / dA[i, j, k]``, and the map is ``ReLU(sum_k alpha_k A[:, :, k])``. The gradients come
    from TensorFlow (``GradientTape``), so this works for any differentiable head.

    Returns ``(maps, alphas)``: ``(n, h, w)`` and ``(n, K)``.
    """
    maps, gradients = _gradients(model, images, classes, layer)
    alphas = gradients.mean(axis=(1, 2))
    cams = np.maximum(np.einsum("nijk,nk->nij", maps, alphas), 0)
    return cams, alphas


def score_map(
    model: keras.Model,
    images: np.ndarray,
    classes: Sequence[int] | np.ndarray,
    layer: str = "conv3",
) -> np.ndarray:
    """Each image's class score split over the positions of ``layer``: ``(n, h, w)``.

    ``M[i, j] = sum_k dz_c / dA[i, j, k] * A[i, j, k]``, with the gradients from TensorFlow.
    When the head is linear in ``A`` (``Flatten`` or global average pooling, then one ``Dense``
    layer), the map adds up exactly to the score: ``sum_{i,j} M[i, j] = z_c - b_c``; with the
    global-average-pooling head it is the class-activation map of Zhou et al. (2016) divided by
    ``h w``, and Grad-CAM is its positive part. Unlike Grad-CAM it keeps its sign: negative
    where a position's features argue against the class.
    """
    maps, gradients = _gradients(model, images, classes, layer)
    return np.einsum("nijk,nijk->nij", gradients, maps)


def cam_weights(model: keras.Model, layer: str = "conv3") -> np.ndarray:
    """Grad-CAM's channel weights in closed form, ``(K, classes)``, for a linear head.

    The course's heads are linear in the last feature maps ``A`` (``h`` x ``w`` x ``K``):

    - ``Flatten`` then ``Dense``: ``z_c = b_c + sum_{i,j,k} W[(i, j, k), c] A[i, j, k]``, so
      ``dz_c / dA[i, j, k] = W[(i, j, k), c]`` and
      ``alpha_k = mean over (i, j) of W[(i, j, k), c]``: the dense weights, reshaped to
      ``(h, w, K, classes)`` and averaged over the positions;
    - global average pooling then ``Dense``: ``z_c = b_c + sum_k W[k, c] mean_{i,j} A[i, j, k]``,
      so ``alpha_k = W[k, c] / (h w)``: Grad-CAM is then the CAM of Zhou et al. (2016) divided by
      the number of positions.
    """
    head = _head_after(model, layer)
    height, width, depth = (int(s) for s in model.get_layer(layer).output.shape[1:])
    kernel = np.asarray(head[-1].kernel.numpy(), dtype=np.float64)
    kinds = [type(each) for each in head[:-1]]
    if kinds == [keras.layers.Flatten]:
        return kernel.reshape(height, width, depth, -1).mean(axis=(0, 1))
    if kinds == [keras.layers.GlobalAveragePooling2D]:
        return kernel / (height * width)
    raise ValueError(
        "the closed form needs a Flatten or GlobalAveragePooling2D head and one Dense layer"
    )


def closed_form_cam(
    maps: np.ndarray, weights: np.ndarray, classes: Sequence[int] | np.ndarray
) -> np.ndarray:
    """``ReLU(sum_k alpha_k A[:, :, k])`` with the closed-form weights of :func:`cam_weights`.

    ``maps`` is ``(n, h, w, K)``; returns ``(n, h, w)``.
    """
    alphas = np.asarray(weights)[:, np.asarray(classes)].T  # (n, K)
    return np.maximum(np.einsum("nijk,nk->nij", np.asarray(maps, dtype=np.float64), alphas), 0)


def upsample_cam(cam: np.ndarray, centres: np.ndarray, size: int = 28) -> np.ndarray:
    """Lay a ``(h, w)`` map over a ``size`` x ``size`` image, unit by unit at its field's centre.

    Each value sits at the centre of its unit's receptive field (``centres``, input coordinates
    from :func:`field_centres`, the same for rows and columns); pixels between two centres are
    interpolated linearly along each axis, and pixels beyond the outermost centres take the
    value of the nearest one. With a single unit the map is constant.
    """
    cam = np.asarray(cam, dtype=np.float64)
    weights = _interpolation(np.asarray(centres, dtype=np.float64), size)
    return weights @ cam @ weights.T


def _interpolation(centres: np.ndarray, size: int) -> np.ndarray:
    """``(size, units)`` matrix of linear-interpolation weights at pixels ``0 .. size - 1``."""
    units = len(centres)
    weights = np.zeros((size, units))
    if units == 1:
        weights[:, 0] = 1
        return weights
    step = centres[1] - centres[0]
    for pixel in range(size):
        t = min(max((pixel - centres[0]) / step, 0.0), units - 1.0)
        low = min(int(np.floor(t)), units - 2)
        fraction = t - low
        weights[pixel, low] = 1 - fraction
        weights[pixel, low + 1] = fraction
    return weights


# -- the first layer's kernels against chapter 1's --------------------------------------------


def oriented_presets(presets: Mapping[str, np.ndarray]) -> list[tuple[str, str, np.ndarray]]:
    """Every distinct rotation and mirror image of the 3x3 preset kernels, named.

    Returns ``(preset, name, kernel)`` triples. A vertical-edge kernel mirrored left to right
    finds the other side of a stroke ("vertical edge, reversed"); turned by 90 degrees it is the
    horizontal-edge preset, which is listed under its own name; a "\\" diagonal turned is a "/"
    ("diagonal \\, turned"). Blur and sharpen look the same in every orientation.
    """
    presets = {name: np.asarray(kernel, dtype=np.float64) for name, kernel in presets.items()}
    found: list[tuple[str, str, np.ndarray]] = []

    def known(kernel: np.ndarray) -> bool:
        return any(np.allclose(kernel, member) for _, _, member in found)

    for name, kernel in presets.items():
        for turns in range(4):
            for mirrored in (False, True):
                member = np.rot90(kernel, turns)
                member = np.fliplr(member) if mirrored else member
                if known(member):
                    continue
                owner = next(
                    (
                        other
                        for other, preset in presets.items()
                        if np.allclose(member, preset) or np.allclose(member, -preset)
                    ),
                    None,
                )
                if owner is not None and owner != name:
                    continue  # listed under the preset it is
                if owner == name:
                    label = name if np.allclose(member, kernel) else f"{name}, reversed"
                else:
                    label = f"{name}, turned"
                found.append((name, label, member))
    return found


@dataclass(frozen=True)
class KernelMatch:
    """The hand-made kernel most similar to one learned kernel.

    Attributes:
        index: the learned kernel's channel.
        preset: the preset the closest kernel comes from ("vertical edge").
        name: the closest kernel itself ("vertical edge, reversed").
        cosine: the cosine similarity to it, from -1 to 1.
        member: the closest kernel (a 3x3 array).
    """

    index: int
    preset: str
    name: str
    cosine: float
    member: np.ndarray = field(repr=False, compare=False)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.sum(a * b) / norm) if norm > 0 else 0.0


def match_kernels(kernels: np.ndarray, presets: Mapping[str, np.ndarray]) -> list[KernelMatch]:
    """For each 3x3 kernel of a first ``Conv2D`` layer, the closest preset in any orientation.

    The similarity is the cosine of the angle between the two kernels seen as vectors of 9
    numbers, ``sum(a * b) / (|a| |b|)``: 1 for the same pattern at any strength, 0 for unrelated
    patterns, -1 for the opposite one. The candidates are :func:`oriented_presets`, so an edge
    of either polarity and any orientation finds its match.

    Args:
        kernels: ``(3, 3, 1, filters)`` as Keras stores them, or ``(filters, 3, 3)``.
        presets: name -> 3x3 kernel, such as :data:`convbook.convolution.KERNELS`.
    """
    kernels = np.asarray(kernels, dtype=np.float64)
    if kernels.ndim == 4:
        kernels = np.moveaxis(kernels[:, :, 0, :], -1, 0)
    candidates = oriented_presets(presets)
    matches = []
    for index, kernel in enumerate(kernels):
        scores = [_cosine(kernel, member) for _, _, member in candidates]
        best = int(np.argmax(scores))
        preset, name, member = candidates[best]
        matches.append(KernelMatch(index, preset, name, scores[best], member))
    return matches


# -- figures ---------------------------------------------------------------------------------


def _show(ax: plt.Axes, values: np.ndarray, **style: Any) -> Any:
    """``imshow`` with one flat square per value: pixels stay pixels, and the PNG stays small."""
    return ax.imshow(values, interpolation="nearest", **style)


def _bare(ax: plt.Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def plot_shifted_digits(image: np.ndarray, shifts: Sequence[int] = (-6, -3, 0, 3, 6)) -> Figure:
    """One digit moved by each of ``shifts`` pixels, a row per direction of :data:`DIRECTIONS`."""
    image = np.asarray(image)
    if image.ndim == 3:
        image = image[..., 0]
    fig, axes = plt.subplots(
        len(DIRECTIONS),
        len(shifts),
        figsize=(1.15 * len(shifts) + 0.9, 1.2 * len(DIRECTIONS)),
        squeeze=False,
    )
    for row, (name, (dr, dc)) in enumerate(DIRECTIONS.items()):
        for column, shift in enumerate(shifts):
            ax = axes[row, column]
            _show(ax, shift_images(image, shift * dr, shift * dc), cmap=INK_CMAP, vmin=0)
            _bare(ax)
            if row == 0:
                ax.set_title(f"{shift:+d} px" if shift else "0", fontsize=9)
        axes[row, 0].set_ylabel(name, fontsize=9)
    fig.tight_layout()
    return fig


def plot_shift_curves(
    curves: Mapping[str, Sequence[Mapping[str, np.ndarray]]],
    shifts: Sequence[int],
    *,
    title: str | None = None,
) -> Figure:
    """Accuracy against shift, a panel per direction, a colour per model; mean and spread.

    Args:
        curves: model name -> one :func:`shift_accuracy` result per seed. The line is the mean
            over the seeds, the shaded band runs from the lowest to the highest seed.
        shifts: the shifts the curves were measured at.
    """
    directions = list(next(iter(curves.values()))[0])
    fig, axes = plt.subplots(
        1, len(directions), figsize=(2.8 * len(directions) + 0.5, 3.1), sharey=True, squeeze=False
    )
    for column, direction in enumerate(directions):
        ax = axes[0, column]
        for series, (name, runs) in enumerate(curves.items()):
            values = np.array([run[direction] for run in runs])
            style = curve_style(series, "test")
            ax.fill_between(
                shifts,
                values.min(axis=0),
                values.max(axis=0),
                color=style["color"],
                alpha=0.18,
                linewidth=0,
            )
            ax.plot(shifts, values.mean(axis=0), markersize=3.5, linewidth=1.5, label=name, **style)
        ax.set_title(direction, fontsize=10)
        ax.set_xlabel("shift (pixels)")
        ax.set_xticks(list(shifts)[::2])
        ax.set_ylim(0, 1.0)
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("test accuracy")
    axes[0, 0].set_yticks(np.linspace(0, 1, 6))
    axes[0, 0].set_yticklabels([f"{v:.0%}" for v in np.linspace(0, 1, 6)])
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8.5, frameon=False)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def plot_top_patches(
    images: np.ndarray, tops: Sequence[TopPatches], labels: np.ndarray | None = None
) -> Figure:
    """Layer by layer, for a few units each: the digit that excites the unit most (its field
    outlined) and the patches that excite it most, strongest first, labelled with their class."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    count = max(top.patches.shape[1] for top in tops)
    heights = [len(top.channels) for top in tops]
    fig = plt.figure(figsize=(0.78 * (count + 1) + 0.6, sum(heights) * 0.82 + 0.45 * len(tops)))
    blocks = fig.subfigures(len(tops), 1, height_ratios=[h + 0.55 for h in heights])
    for block, top in zip(np.atleast_1d(blocks), tops):
        block.suptitle(
            f"{top.layer}: {top.size}x{top.size}-pixel fields, {top.jump} apart",
            fontsize=9,
            x=0.02,
            ha="left",
        )
        axes = block.subplots(len(top.channels), count + 1, squeeze=False)
        block.subplots_adjust(left=0.1, right=0.99, top=0.87, bottom=0.06, wspace=0.25, hspace=0.45)
        for k, channel in enumerate(top.channels):
            first = int(top.images[k, 0])
            ax = axes[k, 0]
            _show(ax, images[first], cmap=INK_CMAP, vmin=0)
            r, c = top.positions[k, 0] * top.jump
            ax.add_patch(
                Rectangle(
                    (c - 0.5, r - 0.5),
                    top.size,
                    top.size,
                    fill=False,
                    edgecolor=WINDOW_COLOUR,
                    linewidth=1.5,
                )
            )
            _bare(ax)
            ax.set_ylabel(f"ch {channel}", fontsize=8)
            for column in range(count):
                ax = axes[k, column + 1]
                _bare(ax)
                if column >= top.patches.shape[1]:
                    ax.set_axis_off()
                    continue
                _show(ax, top.patches[k, column], cmap=INK_CMAP, vmin=0, vmax=1)
                if labels is not None:
                    ax.set_xlabel(f"a {labels[top.images[k, column]]}", fontsize=7, labelpad=1)
    return fig


def _short(name: str) -> str:
    """A candidate kernel's name in a few characters, for small figures."""
    for long, short in (
        ("vertical", "vert."),
        ("horizontal", "horiz."),
        (", reversed", " rev."),
        ("diagonal \\, turned", "diag. /"),
        ("diagonal \\", "diag. \\"),
    ):
        name = name.replace(long, short)
    return name


def plot_kernel_matches(
    kernels: np.ndarray, matches: Sequence[KernelMatch], *, columns: int = 8
) -> Figure:
    """The learned kernels, most similar to a hand-made one first, each titled with its cosine
    similarity and labelled with the hand-made kernel it is closest to (all on one colour scale,
    red positive, blue negative)."""
    kernels = np.asarray(kernels)
    if kernels.ndim == 4:
        kernels = np.moveaxis(kernels[:, :, 0, :], -1, 0)
    order = sorted(range(len(kernels)), key=lambda k: -matches[k].cosine)
    rows = -(-len(kernels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(0.98 * columns, 1.32 * rows), squeeze=False)
    low, high = signed_limits(kernels)
    for spot, ax in enumerate(axes.flat):
        _bare(ax)
        if spot >= len(order):
            ax.set_axis_off()
            continue
        index = order[spot]
        shown = _show(ax, kernels[index], cmap=SIGNED_CMAP, vmin=low, vmax=high)
        ax.set_title(f"ch {index}: {matches[index].cosine:.2f}", fontsize=7.5, pad=2)
        ax.set_xlabel(_short(matches[index].name), fontsize=7, labelpad=1.5)
    fig.tight_layout(h_pad=0.4, w_pad=0.3)
    fig.colorbar(shown, ax=axes, fraction=0.02, pad=0.02, label="weight")
    return fig


def plot_explanations(
    images: np.ndarray,
    labels: Sequence[int],
    probabilities: np.ndarray,
    occlusions: Sequence[Occlusion],
    cams: np.ndarray,
    scores_truth: np.ndarray,
    scores_answer: np.ndarray,
    *,
    indices: Sequence[int] | None = None,
) -> Figure:
    """A row per digit: the digit; the occlusion map of its true class; the Grad-CAM map of the
    model's answer; and the score maps of the true class and of the answer, all laid over the
    pixels (``(n, 28, 28)`` each) with the digit's outline.

    Signed maps are red where the class gains (for the occlusion map: where hiding the pixels
    costs the true class probability) and blue where it loses; each row has its own scale,
    written under the maps, shared by its two score maps.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    count = len(images)
    fig, axes = plt.subplots(count, 5, figsize=(6.9, 1.5 * count + 0.35), squeeze=False)
    headers = [
        "digit",
        "occlusion:\nloss of the true class",
        "Grad-CAM:\nthe answer",
        "score map:\nthe true class",
        "score map:\nthe answer",
    ]
    for column, header in enumerate(headers):
        axes[0, column].set_title(header, fontsize=8.5)
    for row in range(count):
        label, answer = int(labels[row]), int(np.argmax(probabilities[row]))
        number = f"#{indices[row]}: " if indices is not None else ""
        verdict = "right" if answer == label else "wrong"
        ax = axes[row, 0]
        _show(ax, images[row], cmap=INK_CMAP, vmin=0)
        ax.set_xlabel(
            f"{number}a {label}, says {answer}\n({probabilities[row][answer]:.0%}, {verdict})",
            fontsize=7.5,
            color="black" if answer == label else "#c0392b",
        )
        drop = occlusions[row].drop
        low, high = signed_limits(drop)
        _show(axes[row, 1], drop, cmap=SIGNED_CMAP, vmin=low, vmax=high)
        axes[row, 1].set_xlabel(f"±{high:.2g}", fontsize=7.5)
        top = float(np.max(cams[row])) or 1.0
        _show(axes[row, 2], cams[row], cmap=ACTIVATION_CMAP, vmin=0, vmax=top)
        axes[row, 2].set_xlabel(
            "empty: all 0" if not np.max(cams[row]) else f"0 to {top:.2f}", fontsize=7.5
        )
        low, high = signed_limits(np.concatenate([scores_truth[row], scores_answer[row]]))
        for column, scores, target in ((3, scores_truth, label), (4, scores_answer, answer)):
            _show(axes[row, column], scores[row], cmap=SIGNED_CMAP, vmin=low, vmax=high)
            axes[row, column].set_xlabel(f"for {target} (±{high:.1f})", fontsize=7.5)
        for column in range(1, 5):
            outline = "white" if column == 2 else "#404040"
            axes[row, column].contour(images[row], levels=[0.5], colors=outline, linewidths=0.6)
        for ax in axes[row]:
            _bare(ax)
    fig.tight_layout(h_pad=0.6, w_pad=0.4)
    return fig


def plot_probe_overview(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """The probe explorer, frozen: a row per setting with the digit the model sees, the ten
    probabilities, the Grad-CAM map and the score map of its answer.

    Args:
        rows: one dict per setting with ``image``, ``cam`` and ``score`` (28x28 each, the maps
            laid over the pixels), ``probabilities`` (10), ``label`` (the true digit) and
            ``title`` (what was done to the digit).
    """
    fig, axes = plt.subplots(
        len(rows),
        4,
        figsize=(7.4, 1.45 * len(rows) + 0.3),
        squeeze=False,
        gridspec_kw={"width_ratios": [1, 2.1, 1, 1]},
    )
    for row, setting in enumerate(rows):
        probabilities = np.asarray(setting["probabilities"])
        label, answer = int(setting["label"]), int(probabilities.argmax())
        image = np.asarray(setting["image"])
        _show(axes[row, 0], image, cmap=INK_CMAP, vmin=0, vmax=1)
        axes[row, 0].set_ylabel(
            setting["title"], fontsize=7.5, rotation=0, ha="right", va="center", labelpad=4
        )
        colours = ["#a9bcd6"] * 10
        colours[answer] = SERIES_COLOURS[0] if answer == label else "#c0392b"
        bars = axes[row, 1]
        bars.bar(range(10), probabilities, color=colours)
        bars.set_ylim(0, 1)
        bars.set_xticks(range(10))
        bars.tick_params(labelsize=7, length=2)
        bars.set_yticks([])
        bars.set_xlabel(f"says {answer} ({probabilities[answer]:.0%}), a {label}", fontsize=7.5)
        cam = np.asarray(setting["cam"])
        _show(axes[row, 2], cam, cmap=ACTIVATION_CMAP, vmin=0, vmax=float(cam.max()) or 1.0)
        axes[row, 2].contour(image, levels=[0.5], colors="white", linewidths=0.6)
        axes[row, 2].set_xlabel("empty" if not cam.max() else "", fontsize=7.5)
        score = np.asarray(setting["score"])
        low, high = signed_limits(score)
        _show(axes[row, 3], score, cmap=SIGNED_CMAP, vmin=low, vmax=high)
        axes[row, 3].contour(image, levels=[0.5], colors="#404040", linewidths=0.6)
        for column in (0, 2, 3):
            _bare(axes[row, column])
    for column, header in enumerate(
        ["what it sees", "probabilities", "Grad-CAM of\nits answer", "score map of\nits answer"]
    ):
        axes[0, column].set_title(header, fontsize=8.5)
    fig.tight_layout()
    return fig


# -- the exercises' checks -------------------------------------------------------------------

exercise_gap_parameters = number_check(
    "Exercise 1",
    93_962,
    hint=(
        "Count layer by layer: padding does not change a kernel's size, and global average "
        "pooling hands the classifier one number per channel of conv3, whatever the size of "
        "its maps."
    ),
    explanation=(
        "320 + 18,496 + 73,856 + (128 + 1) x 10 = 93,962, exactly as with 'valid' padding: the "
        "maps are now 7x7 instead of 3x3, but the GAP head does not see their size."
    ),
    mistakes=[
        (
            155_402,
            "That is the Flatten head with 'same' padding (7 x 7 x 128 inputs to the "
            "classifier). Global average pooling reduces each channel to one number.",
        ),
        (104_202, "That is the course's convnet with its Flatten head. Replace the head first."),
        (1_290, "That is the classifier alone; add the three convolutions."),
        (92_672, "You left out the classifier's (128 + 1) x 10 weights and biases."),
    ],
)

exercise_equivariant_shift = number_check(
    "Exercise 2",
    2,
    hint=(
        "A shift passes through a convolution unchanged but is halved by every 2x2 pooling "
        "layer with stride 2; a shift that is not a multiple of the pooling's stride is not "
        "passed on exactly at all."
    ),
    explanation=(
        "conv2 sits after one pooling layer, so its units are 2 input pixels apart (its jump): "
        "a shift by 2 pixels moves its maps by exactly one unit."
    ),
    mistakes=[
        (
            1,
            "A 1-pixel shift moves conv1's maps by one unit, but pool1 cannot pass on half a "
            "unit: after it, the maps change rather than move.",
        ),
        (
            4,
            "4 pixels move conv3's maps (after two poolings) by one unit; conv2 sits after "
            "only one pooling layer.",
        ),
        (8, "8 is conv2's receptive field, not the distance between two of its units."),
    ],
)

exercise_black_patch = number_check(
    "Exercise 3",
    0,
    tolerance=1e-6,
    hint=(
        "A black patch paints the background level 0. What does it change where the image is "
        "already 0?"
    ),
    explanation=(
        "Painting 0 over pixels that are already 0 leaves the image exactly as it was, so the "
        "model's probability does not move: a black patch only tests where the ink matters, a "
        "grey one also where its absence does."
    ),
    mistakes=[
        (0.5, "0.5 is the grey level of the patch, not a change of probability."),
    ],
)


def _is_answer_word(answer: Any) -> bool:
    return isinstance(answer, str) and answer.strip().lower() in ("dense", "convnet", "same")


exercise_augmented_dense = Check(
    name="Exercise 4",
    is_right=lambda answer: answer.strip().lower() == "convnet",
    kind=_is_answer_word,
    kind_text="one of the words 'dense', 'convnet' or 'same'",
    hint="Run the experiment and compare the two models at 4 pixels, seed by seed.",
    explanation=(
        "Trained on the same moved digits, the convnet reads more of them than the dense "
        "network at every distance, in every seed: its kernels learn a stroke once and find it "
        "anywhere, while the dense network must learn each stroke at each place separately, "
        "from the same 12,000 digits."
    ),
    hints=(
        (
            lambda answer: answer.strip().lower() == "dense",
            "The dense network gains a lot from augmentation, but compare the two at 4 pixels, "
            "seed by seed.",
        ),
        (
            lambda answer: answer.strip().lower() == "same",
            "Augmentation helps both, but not equally: compare them shift by shift.",
        ),
    ),
)
