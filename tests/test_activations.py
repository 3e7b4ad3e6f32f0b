"""Inside a convnet (convbook.activations): feature-map layers, activations and their figures."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from convbook import activations  # noqa: E402
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
    fig = activations.plot_kernels(untrained.get_layer("conv1").kernel.numpy())
    assert sum(1 for ax in fig.axes if ax.images) == 32
    with pytest.raises(ValueError, match="first-layer kernel"):
        activations.plot_kernels(untrained.get_layer("conv2").kernel.numpy())
    images, _ = test_digits
    outputs = activations.layer_activations(untrained, images[:1])
    maps = {name: values[0] for name, values in outputs.items() if name != "probabilities"}
    fig = activations.plot_feature_maps(images[0], maps, channels=4)
    assert sum(1 for ax in fig.axes if ax.images) == 1 + 5 * 4


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
