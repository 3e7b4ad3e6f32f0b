"""The helpers of "What the convnet sees": shifts, shift curves, augmentation, receptive fields,
top patches, occlusion, Grad-CAM, kernel similarity, the GAP-head convnet and the exercises.

Each computation is checked against an independent one: shifts against index arithmetic,
occlusion against single hand-made predictions (and a patch that hides nothing against the
model's own probability), Grad-CAM from TensorFlow's gradients against its closed form for the
course's linear heads, the upsampled map against the unit centres it must pass through.
"""

from __future__ import annotations

import numpy as np
import pytest

from convbook import inspection
from convbook.convolution import KERNELS
from convbook.models import build_convnet, build_dense_network, build_gap_convnet, receptive_fields


def _digits(count: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stand-ins for MNIST digits: (n, 28, 28, 1) floats in [0, 1] with a few strokes inside a
    blank margin of 4 pixels, labels 0-9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28, 1), dtype=np.float32)
    for image in images:
        for _ in range(3):
            r, c = rng.integers(4, 18, size=2)
            image[r : r + rng.integers(2, 7), c : c + rng.integers(1, 6), 0] = rng.uniform(0.3, 1)
    return images, np.arange(count) % 10


def _outputs(keras, model, layer: str, images: np.ndarray) -> np.ndarray:
    """What ``layer`` of ``model`` outputs for ``images``."""
    probe = keras.Model(model.inputs, model.get_layer(layer).output)
    return np.asarray(probe.predict_on_batch(images))


@pytest.fixture(scope="module")
def convnet(keras):
    keras.utils.set_random_seed(4)
    return build_convnet()


@pytest.fixture(scope="module")
def gap_convnet(keras):
    keras.utils.set_random_seed(5)
    model = build_gap_convnet()
    # Random biases in the classifier, so a bias error would show.
    kernel, bias = model.get_layer("classifier").get_weights()
    model.get_layer("classifier").set_weights([kernel, np.linspace(-1, 1, 10).astype("float32")])
    return model


# -- the GAP-head convnet ----------------------------------------------------------------------


def test_the_gap_convnet_counts_93962_parameters():
    model = build_gap_convnet()
    by_hand = {
        "conv1": (3 * 3 * 1 + 1) * 32,
        "conv2": (3 * 3 * 32 + 1) * 64,
        "conv3": (3 * 3 * 64 + 1) * 128,
        "classifier": (128 + 1) * 10,
    }
    for name, count in by_hand.items():
        assert model.get_layer(name).count_params() == count
    assert model.count_params() == sum(by_hand.values()) == 93_962
    assert [layer.name for layer in model.layers] == [
        "digit",
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "conv3",
        "gap",
        "classifier",
    ]
    assert model.name == "convnet_max_gap"
    assert build_gap_convnet("strided", name="g").get_layer("conv2").strides == (2, 2)


def test_the_gap_head_averages_each_map(gap_convnet, keras):
    images, _ = _digits(3)
    maps = _outputs(keras, gap_convnet, "conv3", images)
    pooled = _outputs(keras, gap_convnet, "gap", images)
    np.testing.assert_allclose(pooled, maps.mean(axis=(1, 2)), atol=1e-6)


# -- shifting --------------------------------------------------------------------------------------


def test_shifts_are_exact_index_arithmetic():
    rng = np.random.default_rng(1)
    images = rng.random((5, 9, 7, 2))
    for rows, cols in [(0, 0), (2, -3), (-1, 4), (8, 0), (0, -6), (9, 1), (-20, 0)]:
        moved = inspection.shift_images(images, rows, cols)
        assert moved.shape == images.shape and moved.dtype == images.dtype
        for r in range(9):
            for c in range(7):
                source = (r - rows, c - cols)
                if 0 <= source[0] < 9 and 0 <= source[1] < 7:
                    np.testing.assert_array_equal(moved[:, r, c], images[:, source[0], source[1]])
                else:
                    assert not moved[:, r, c].any()


def test_one_shift_per_image_and_a_single_image():
    images, _ = _digits(4)
    rows, cols = [1, -2, 0, 3], [0, 2, -4, 3]
    moved = inspection.shift_images(images, rows, cols)
    for k in range(4):
        np.testing.assert_array_equal(
            moved[k], inspection.shift_images(images[k : k + 1], rows[k], cols[k])[0]
        )
    # One (height, width) image comes back as one image.
    single = inspection.shift_images(images[0, :, :, 0], 2, 1)
    np.testing.assert_array_equal(single, inspection.shift_images(images[:1], 2, 1)[0, :, :, 0])
    with pytest.raises(ValueError, match="shape"):
        inspection.shift_images(np.zeros(5), 1, 1)


def test_moving_within_the_margins_loses_no_ink_and_moves_back():
    images, _ = _digits(6)
    for image in images[..., 0]:
        up, down, left, right = inspection.ink_margins(image)
        assert min(up, down, left, right) >= 4
        moved = inspection.shift_images(image, down, -left)
        assert moved.sum() == pytest.approx(image.sum())
        np.testing.assert_array_equal(inspection.shift_images(moved, -down, left), image)
        assert inspection.ink_margins(moved) == (up + down, 0, 0, left + right)
        assert inspection.shift_images(image, down + 1, 0).sum() < image.sum()
    assert inspection.ink_margins(np.zeros((28, 28))) == (28, 28, 28, 28)


def test_shift_accuracy_counts_right_answers_per_shift():
    class Oracle:
        """Says the right label while the ink's top row stays where it was, else 0."""

        def __init__(self, images, labels):
            self.rows = [int(np.flatnonzero(image.max(axis=(1, 2)) > 0)[0]) for image in images]
            self.labels = labels

        def predict_on_batch(self, batch):
            out = np.zeros((len(batch), 10))
            for k, image in enumerate(batch):
                rows = np.flatnonzero(image.max(axis=(1, 2)) > 0)
                same = rows.size and rows[0] == self.rows[k]
                out[k, self.labels[k] if same else 0] = 1
            return out

    images, labels = _digits(10)
    curves = inspection.shift_accuracy(Oracle(images, labels), images, labels, [-1, 0, 2])
    assert list(curves) == ["horizontal", "vertical", "diagonal"]
    np.testing.assert_array_equal(curves["horizontal"], [1, 1, 1])
    # Moved vertically, only the digits labelled 0 are still "right".
    np.testing.assert_array_equal(curves["vertical"], [0.1, 1, 0.1])
    np.testing.assert_array_equal(curves["diagonal"], [0.1, 1, 0.1])


def test_shifted_batches_move_every_digit_within_the_range():
    images, labels = _digits(40)
    batches = inspection.ShiftedBatches(images, labels, batch_size=16, seed=3, max_shift=2)
    again = inspection.ShiftedBatches(images, labels, batch_size=16, seed=3, max_shift=2)
    assert len(batches) == 3
    seen_moves = set()
    for index in range(len(batches)):
        x, y = batches[index]
        x_again, _ = again[index]
        np.testing.assert_array_equal(x, x_again)  # seeded: the same batches
        chosen = batches.order[index * 16 : (index + 1) * 16]
        np.testing.assert_array_equal(y, labels[chosen])
        for moved, original in zip(x, images[chosen]):
            found = [
                (r, c)
                for r in range(-2, 3)
                for c in range(-2, 3)
                if np.array_equal(inspection.shift_images(original[None], r, c)[0], moved)
            ]
            assert found, "each digit is a shifted copy of its original"
            seen_moves.update(found)
    assert len(seen_moves) > 10
    with pytest.raises(ValueError, match="max_shift"):
        inspection.ShiftedBatches(images, labels, max_shift=-1)


def test_train_model_is_seeded_and_keeps_the_initial_kernels(keras):
    images, labels = _digits(64)
    first = inspection.train_model(
        build_convnet, images, labels, name="a", seed=2, epochs=1, max_shift=1, batch_size=32
    )
    again = inspection.train_model(
        build_convnet, images, labels, name="a", seed=2, epochs=1, max_shift=1, batch_size=32
    )
    keras.utils.set_random_seed(2)
    untrained = build_convnet().get_layer("conv1").kernel.numpy()
    np.testing.assert_array_equal(first.initial_kernels, untrained)
    assert not np.allclose(first.model.get_layer("conv1").kernel.numpy(), untrained)
    np.testing.assert_allclose(
        first.model.get_weights()[0], again.model.get_weights()[0], atol=1e-6
    )
    assert first.max_shift == 1 and len(first.history["loss"]) == 1 and first.seconds > 0
    dense = inspection.train_model(build_dense_network, images, labels, name="d", seed=0)
    assert dense.initial_kernels is None and len(dense.history["accuracy"]) == 2
    with pytest.raises(ValueError, match="at least one epoch"):
        inspection.train_model(build_convnet, images, labels, name="x", seed=0, epochs=0)


# -- receptive fields and top patches -----------------------------------------------------------


def test_field_centres_follow_the_receptive_fields(convnet):
    for view in receptive_fields(convnet):
        size, jump, centres = inspection.field_centres(convnet, view.name)
        assert (size, jump, len(centres)) == (view.size, view.jump, view.output_size)
    size, jump, centres = inspection.field_centres(convnet, "conv3")
    assert (size, jump) == (18, 4) and centres.tolist() == [8.5, 12.5, 16.5]
    with pytest.raises(ValueError, match="choose from"):
        inspection.field_centres(convnet, "classifier")


def test_top_patches_are_the_strongest_responses_and_their_fields(convnet, keras):
    images, labels = _digits(30)
    top = inspection.top_patches(convnet, images, "conv2", channels=[3, 7], count=5)
    maps = _outputs(keras, convnet, "conv2", images)
    assert (top.size, top.jump, top.channels) == (8, 2, (3, 7))
    for row, channel in enumerate(top.channels):
        peaks = maps[..., channel].max(axis=(1, 2))
        expected = np.argsort(-peaks, kind="stable")[:5]
        np.testing.assert_array_equal(top.images[row], expected)
        np.testing.assert_allclose(top.values[row], peaks[expected], rtol=1e-5)
        for column, index in enumerate(top.images[row]):
            r, c = top.positions[row, column]
            assert maps[index, r, c, channel] == pytest.approx(peaks[index], rel=1e-5)
            np.testing.assert_array_equal(
                top.patches[row, column], images[index, 2 * r : 2 * r + 8, 2 * c : 2 * c + 8, 0]
            )
    # Asked for a number of channels: the first ones that respond at all.
    some = inspection.top_patches(convnet, images, "conv1", channels=4, count=3)
    alive = _outputs(keras, convnet, "conv1", images).max(axis=(0, 1, 2)) > 0
    assert some.channels == tuple(int(c) for c in np.flatnonzero(alive)[:4])
    assert some.patches.shape == (4, 3, 3, 3)


def test_label_purity():
    labels = np.array([1, 1, 1, 2, 3, 4, 5, 6, 7, 8])
    top = inspection.TopPatches(
        "conv1",
        3,
        1,
        (0, 1),
        np.array([[0, 1, 2, 3], [3, 4, 5, 6]]),
        np.zeros((2, 4, 2), int),
        np.zeros((2, 4)),
        np.zeros((2, 4, 3, 3)),
    )
    assert inspection.label_purity(labels, top) == pytest.approx((0.75 + 0.25) / 2)


# -- occlusion ---------------------------------------------------------------------------------


def test_occluding_nothing_gives_the_models_own_probability(convnet):
    images, labels = _digits(2)
    own = convnet.predict_on_batch(images)[0, labels[0]]
    nothing = inspection.occlusion_map(convnet, images[0], labels[0], size=0)
    assert nothing.base == pytest.approx(float(own), abs=1e-6)
    np.testing.assert_allclose(nothing.probabilities, own, atol=1e-6)
    assert np.abs(nothing.drop).max() < 1e-6
    # A black patch over blank background hides nothing either.
    blank = inspection.occlusion_map(convnet, images[0], labels[0], size=4, fill=0.0)
    assert blank.probabilities[0, 0] == pytest.approx(float(own), abs=1e-6)


def test_each_occlusion_is_one_prediction_of_the_patched_image(convnet):
    images, labels = _digits(1)
    image, label = images[0, :, :, 0], int(labels[0])
    found = inspection.occlusion_map(convnet, image, label, size=5, stride=3, fill=0.5)
    assert found.probabilities.shape == (8, 8) and found.drop.shape == (28, 28)
    for i, j in [(0, 0), (3, 4), (7, 7), (5, 1)]:
        patched = image.copy()
        patched[3 * i : 3 * i + 5, 3 * j : 3 * j + 5] = 0.5
        expected = convnet.predict_on_batch(patched[None, :, :, None])[0, label]
        assert found.probabilities[i, j] == pytest.approx(float(expected), abs=1e-6)
    # Each pixel's drop: the base minus the mean over the patches that cover it.
    covering = [
        found.probabilities[i, j]
        for i in range(8)
        for j in range(8)
        if 3 * i <= 10 < 3 * i + 5 and 3 * j <= 12 < 3 * j + 5
    ]
    assert found.drop[10, 12] == pytest.approx(found.base - np.mean(covering), abs=1e-6)
    with pytest.raises(ValueError, match="fit"):
        inspection.occlusion_map(convnet, image, label, size=29)


# -- Grad-CAM --------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["flatten", "gap"])
def test_grad_cam_of_a_linear_head_is_its_closed_form(which, convnet, gap_convnet, keras):
    model = convnet if which == "flatten" else gap_convnet
    images, _ = _digits(6)
    classes = np.array([0, 3, 9, 1, 1, 7])
    cams, alphas = inspection.grad_cam(model, images, classes)
    weights = inspection.cam_weights(model)
    np.testing.assert_allclose(alphas, weights[:, classes].T, rtol=1e-5, atol=1e-9)
    maps = _outputs(keras, model, "conv3", images)
    np.testing.assert_allclose(
        cams, inspection.closed_form_cam(maps, weights, classes), rtol=1e-5, atol=1e-9
    )
    assert cams.shape == (6, 3, 3) and (cams >= 0).all()


def test_grad_cam_of_the_gap_head_is_the_class_activation_map(gap_convnet, keras):
    """Zhou et al.'s CAM, sum_k w_kc A_k, divided by the number of positions."""
    images, _ = _digits(3)
    maps = _outputs(keras, gap_convnet, "conv3", images)
    kernel = gap_convnet.get_layer("classifier").kernel.numpy()
    cams, _ = inspection.grad_cam(gap_convnet, images, [2, 2, 5])
    bias = gap_convnet.get_layer("classifier").bias.numpy()
    scores = np.zeros((3, 10))
    for k, c in enumerate([2, 2, 5]):
        cam = np.einsum("ijk,k->ij", maps[k], kernel[:, c])
        np.testing.assert_allclose(cams[k], np.maximum(cam, 0) / 9, rtol=1e-5, atol=1e-9)
        # Every class score is its bias plus the mean of its unclipped map.
        scores[k] = [
            np.einsum("ijk,k->ij", maps[k], kernel[:, d]).mean() + bias[d] for d in range(10)
        ]
    softmax = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax, gap_convnet.predict_on_batch(images), atol=1e-5)


def test_closed_form_refuses_other_heads(keras):
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, name="conv3")(inputs)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(5, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    with pytest.raises(ValueError, match="closed form"):
        inspection.cam_weights(model)
    with pytest.raises(ValueError, match="no layer"):
        inspection.grad_cam(model, np.zeros((1, 28, 28, 1)), [0], layer="conv9")


def test_the_upsampled_map_passes_through_the_unit_centres():
    rng = np.random.default_rng(2)
    cam = rng.random((3, 3))
    laid = inspection.upsample_cam(cam, np.array([8.5, 12.5, 16.5]))
    assert laid.shape == (28, 28)
    # Halfway between pixel centres 8 and 9 lies unit 0's centre: their mean is the unit's value
    # mixed with a little of its neighbour, exactly as linear interpolation says.
    t = (9 - 8.5) / 4
    assert laid[9, 9] == pytest.approx(
        (1 - t) ** 2 * cam[0, 0] + t * (1 - t) * (cam[0, 1] + cam[1, 0]) + t**2 * cam[1, 1]
    )
    # Beyond the outermost centres the map is flat; on a whole-pixel centre it is exact.
    np.testing.assert_allclose(laid[:9, :9], cam[0, 0])
    np.testing.assert_allclose(laid[17:, 17:], cam[2, 2])
    on_pixels = inspection.upsample_cam(cam, np.array([4.0, 13.0, 22.0]))
    assert on_pixels[13, 22] == pytest.approx(cam[1, 2]) and on_pixels[4, 4] == cam[0, 0]
    np.testing.assert_allclose(inspection.upsample_cam(np.array([[2.5]]), np.array([13.5])), 2.5)


# -- kernels ---------------------------------------------------------------------------------------


def test_the_presets_in_every_orientation():
    found = inspection.oriented_presets(KERNELS)
    names = [name for _, name, _ in found]
    assert names == [
        "vertical edge",
        "vertical edge, reversed",
        "horizontal edge",
        "horizontal edge, reversed",
        "blur",
        "sharpen",
        "diagonal \\",
        "diagonal \\, turned",
    ]
    for preset, name, member in found:
        if name == preset:
            np.testing.assert_array_equal(member, KERNELS[preset])
    # Every symmetry of every preset is in the list (up to the listed members).
    for kernel in KERNELS.values():
        for turns in range(4):
            for member in (np.rot90(kernel, turns), np.fliplr(np.rot90(kernel, turns))):
                assert any(np.allclose(member, other) for _, _, other in found)


def test_matching_finds_presets_and_scales_do_not_matter():
    kernels = np.stack(
        [
            3 * KERNELS["vertical edge"],
            -0.2 * KERNELS["horizontal edge"],
            np.full((3, 3), 0.7),
            np.flipud(KERNELS["diagonal \\"]),
            KERNELS["sharpen"] + 0.01,
        ]
    )
    matches = inspection.match_kernels(kernels, KERNELS)
    assert [(m.preset, m.name) for m in matches] == [
        ("vertical edge", "vertical edge"),
        ("horizontal edge", "horizontal edge, reversed"),
        ("blur", "blur"),
        ("diagonal \\", "diagonal \\, turned"),
        ("sharpen", "sharpen"),
    ]
    assert [round(m.cosine, 6) for m in matches[:4]] == [1.0, 1.0, 1.0, 1.0]
    assert 0.99 < matches[4].cosine < 1
    # The Keras layout (3, 3, 1, filters) gives the same matches.
    keras_layout = np.moveaxis(kernels, 0, -1)[:, :, None, :]
    assert inspection.match_kernels(keras_layout, KERNELS) == matches
    # A random kernel matches something, less well.
    random = np.random.default_rng(0).normal(size=(50, 3, 3))
    cosines = [m.cosine for m in inspection.match_kernels(random, KERNELS)]
    assert 0.2 < np.median(cosines) < 0.75 and max(cosines) <= 1


# -- the exercises' checks ---------------------------------------------------------------------


def test_exercise_checks_accept_the_answer_and_explain_typical_mistakes():
    gap = inspection.exercise_gap_parameters
    assert gap(93_962) and gap(...).status == "unanswered"
    assert "Flatten head with 'same' padding" in repr(gap(155_402))
    assert "course's convnet" in repr(gap(104_202))
    assert "classifier alone" in repr(gap(1_290))
    assert not gap("93962") and "should be a number" in repr(gap("93962"))

    shift = inspection.exercise_equivariant_shift
    assert shift(2) and not shift(1) and "pool1 cannot pass on half a unit" in repr(shift(1))
    assert "conv3" in repr(shift(4)) and "receptive field" in repr(shift(8))
    assert "not quite" in repr(shift(3))

    black = inspection.exercise_black_patch
    assert black(0) and black(0.0) and black(1e-9)
    assert "grey level" in repr(black(0.5)) and not black(0.1)

    dense = inspection.exercise_augmented_dense
    assert dense("convnet") and dense(" Convnet ")
    assert not dense("dense") and "at 4 pixels" in repr(dense("dense"))
    assert not dense("same") and "not equally" in repr(dense("same"))
    assert "should be one of the words" in repr(dense(3))
    assert dense(...).status == "unanswered"
