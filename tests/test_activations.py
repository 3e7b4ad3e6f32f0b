"""Inside a convnet (convbook.activations): feature-map layers, activations and their figures."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from convbook import activations, style  # noqa: E402
from convbook.models import build_convnet  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def untrained(keras):
    keras.utils.set_random_seed(1)
    return build_convnet()


@pytest.fixture(scope="module")
def test_digits():
    """Twelve synthetic 'test digits' with labels 0-9, 0, 1."""
    rng = np.random.default_rng(3)
    images = rng.random((12, 28, 28, 1)).astype("float32")
    labels = np.arange(12) % 10
    return images, labels


def test_feature_layers_and_their_activations_match_the_model(untrained, test_digits):
    names = activations.feature_layer_names(untrained)
    assert names == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    images, _ = test_digits
    outputs = activations.layer_activations(untrained, images[:5], ["conv2"], batch_size=2)
    assert set(outputs) == {"conv2", "probabilities"}
    assert outputs["conv2"].shape == (5, 11, 11, 64)
    np.testing.assert_allclose(
        outputs["probabilities"], untrained.predict(images[:5], verbose=0), rtol=1e-5, atol=1e-6
    )
    # (n, 28, 28) digits get their channel axis; every layer comes in order by default.
    every = activations.layer_activations(untrained, images[:2, :, :, 0])
    assert list(every) == [*names, "probabilities"]
    assert [every[name].shape[1:] for name in names] == [
        (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128),
    ]
    with pytest.raises(ValueError, match="not feature-map layers"):
        activations.layer_activations(untrained, images[:1], ["classifier"])


def test_kernel_and_feature_map_figures(untrained, test_digits):
    kernels = untrained.get_layer("conv1").kernel.numpy()
    fig = activations.plot_kernels(kernels)
    assert sum(1 for ax in fig.axes if ax.images) == 32
    # The book's signed map, centred on zero: white is a weight of 0.
    shown = fig.axes[0].images[0]
    assert shown.get_cmap().name == style.SIGNED_CMAP
    assert shown.get_clim() == style.signed_limits(kernels)
    with pytest.raises(ValueError, match="first-layer kernel"):
        activations.plot_kernels(untrained.get_layer("conv2").kernel.numpy())
    images, _ = test_digits
    outputs = activations.layer_activations(untrained, images[:1])
    maps = {name: values[0] for name, values in outputs.items() if name != "probabilities"}
    fig = activations.plot_feature_maps(images[0], maps, channels=4)
    assert sum(1 for ax in fig.axes if ax.images) == 1 + 5 * 4
    cmaps = [ax.images[0].get_cmap().name for ax in fig.axes if ax.images]
    assert cmaps[0] == style.INK_CMAP and set(cmaps[1:]) == {style.ACTIVATION_CMAP}


def test_explorer_overview_follows_each_digit_through_every_layer(untrained, test_digits):
    images, labels = test_digits
    chosen = [0, 7]
    outputs = activations.layer_activations(untrained, images[chosen])
    fig = activations.plot_explorer_overview(
        images[chosen], labels[chosen], outputs, indices=chosen, title="two digits"
    )
    assert sum(1 for ax in fig.axes if ax.images) == 2 * 6  # input + 5 layers, per digit
    rows = np.reshape(fig.axes, (2, 7))
    assert [ax.get_title() for ax in rows[0]] == [
        "input", "conv1\n26×26", "pool1\n13×13", "conv2\n11×11", "pool2\n5×5", "conv3\n3×3",
        "probabilities",
    ]
    assert rows[1, 0].get_xlabel() == "#7: a 7"
    # Each layer's column shows the channel with the strongest response to the digit.
    strongest = int(outputs["conv2"][1].max(axis=(0, 1)).argmax())
    assert rows[1, 3].get_xlabel() == f"ch {strongest}"
    answer = int(outputs["probabilities"][1].argmax())
    colours = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in rows[1, -1].patches]
    assert colours[answer] == ("#1f5fa8" if answer == 7 else "#c0392b")
    assert rows[1, -1].get_xlabel().startswith(f"says {answer} (")
    with pytest.raises(ValueError, match="give the outputs of these images"):
        activations.plot_explorer_overview(images[:3], labels[:3], outputs)
    with pytest.raises(ValueError, match="at least one digit"):
        activations.plot_explorer_overview(images[:0], labels[:0], outputs)


def test_class_similarity_against_a_loop():
    rng = np.random.default_rng(0)
    values = rng.random((7, 3, 2))
    labels = np.array([0, 1, 0, 2, 1, 0, 2])
    same, other = [], []
    for i in range(7):
        for j in range(i + 1, 7):
            a, b = values[i].ravel(), values[j].ravel()
            cosine = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
            (same if labels[i] == labels[j] else other).append(cosine)
    assert activations.class_similarity(values, labels) == pytest.approx(
        (np.mean(same), np.mean(other)))
    # Copies of two patterns: the same class is identical, the other orthogonal.
    pattern = np.eye(2)[[0, 0, 1, 1]] * [[1], [3], [2], [5]]
    assert activations.class_similarity(pattern, [0, 0, 1, 1]) == pytest.approx((1.0, 0.0))


@pytest.mark.parametrize(
    ("values", "labels", "message"),
    [
        (np.ones((3, 4)), [0, 1], "3 examples but 2 labels"),
        (np.ones((1, 4)), [0], "at least two"),
        (np.ones((3, 4)), [0, 0, 0], "pairs of the same class and pairs of different"),
        (np.ones((3, 4)), [0, 1, 2], "pairs of the same class and pairs of different"),
        (np.array([[1.0, 0], [0, 0], [1, 1]]), [0, 0, 1], "all zeros"),
    ],
)
def test_class_similarity_refuses_what_it_cannot_measure(values, labels, message):
    with pytest.raises(ValueError, match=message):
        activations.class_similarity(values, labels)


# -- the exercise that changes conv1 so the model reads inverted digits -------------------------
@pytest.fixture(scope="module")
def biased(keras):
    """A convnet whose conv1 has biases that are not zero, as after training."""
    keras.utils.set_random_seed(4)
    model = build_convnet()
    kernel, bias = model.get_layer("conv1").get_weights()
    rng = np.random.default_rng(4)
    model.get_layer("conv1").set_weights([kernel, rng.normal(0, 0.1, bias.shape)])
    return model


def test_the_inverted_kernel_answer_makes_the_model_read_inverted_digits(biased, keras):
    untrained = biased
    images = np.random.default_rng(5).random((6, 28, 28, 1)).astype("float32")
    kernel, bias = untrained.get_layer("conv1").get_weights()
    answer = (-kernel, bias + kernel.sum(axis=(0, 1, 2)))
    assert activations.inverted_kernel_check(untrained)(answer)
    changed = keras.models.clone_model(untrained)
    changed.set_weights(untrained.get_weights())
    changed.get_layer("conv1").set_weights(answer)
    np.testing.assert_allclose(
        changed.predict_on_batch(1 - images), untrained.predict_on_batch(images), atol=1e-5
    )
    # float32 arithmetic and a list instead of a tuple are fine too
    assert activations.inverted_kernel_check(untrained)([-kernel, bias + kernel.sum((0, 1, 2))])


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda w, b: (w, b), "weights as they are"),
        (lambda w, b: (-w, b), "picks up minus the sum"),
        (lambda w, b: (-w, b - w.sum(axis=(0, 1, 2))), "sign of the bias correction"),
        (lambda w, b: (-w, -b), "the bias does not change sign"),
        (lambda w, b: (-w, b + w.sum()), "Each of the 32 filters needs its own correction"),
        (lambda w, b: (-w, w.sum()), "Each of the 32 filters needs its own bias"),
        (lambda w, b: (-w, b + w.sum(axis=(0, 1, 2)) + 0.5), "multiply out"),
        (lambda w, b: (1 - w, b), "term by term"),
    ],
)
def test_the_inverted_kernel_check_explains_typical_mistakes(biased, make, hint):
    kernel, bias = biased.get_layer("conv1").get_weights()
    verdict = activations.inverted_kernel_check(biased)(make(kernel, bias))
    assert verdict.status == "wrong" and hint in verdict.text, verdict.text


@pytest.mark.parametrize(
    "answer",
    ["kernel", 3.0, (np.zeros((3, 3, 1, 32)),), (np.zeros((3, 3, 32)), np.zeros(32)),
     (np.zeros((3, 3, 1, 32)), np.zeros(31)), (np.full((3, 3, 1, 32), np.nan), np.zeros(32)),
     (np.zeros((3, 3, 1, 32)), "bias")],
)
def test_the_inverted_kernel_check_wants_a_kernel_and_biases(untrained, answer):
    verdict = activations.inverted_kernel_check(untrained)(answer)
    assert verdict.status == "wrong" and "a pair (kernel, bias)" in verdict.text
