"""The MNIST chapter's helpers: timing, confusion counts, the cache and explorer, preprocessing."""

from __future__ import annotations

import datetime
import io
import re

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from convbook import classifier  # noqa: E402
from convbook.classifier import (  # noqa: E402
    ActivationCache,
    DigitPad,
    EpochTimer,
    ModelExplorer,
    confusion_matrix,
    convnet_variant,
    feature_maps_svg,
    most_confused,
    parse_text_art,
    preprocess_digit,
)
from convbook.models import build_convnet, build_dense_network, compile_for_mnist  # noqa: E402

# A 7x5 "7" and a 9x7 "0", drawn as ink (1) on paper (0).
SEVEN = np.array(
    [
        [1, 1, 1, 1, 1],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 1, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0],
    ],
    dtype=float,
)


def _ring(size: int = 9) -> np.ndarray:
    rows, cols = np.mgrid[:size, : size - 2]
    centre_r, centre_c = (size - 1) / 2, (size - 3) / 2
    distance = ((rows - centre_r) / (size / 2)) ** 2 + ((cols - centre_c) / ((size - 2) / 2)) ** 2
    return ((distance > 0.45) & (distance < 1.0)).astype(float)


def _on_canvas(ink: np.ndarray, shape=(40, 50), at=(5, 7)) -> np.ndarray:
    canvas = np.zeros(shape)
    canvas[at[0] : at[0] + ink.shape[0], at[1] : at[1] + ink.shape[1]] = ink
    return canvas


def _centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    total = pixels.sum()
    return (
        float((pixels.sum(axis=1) * np.arange(pixels.shape[0])).sum() / total),
        float((pixels.sum(axis=0) * np.arange(pixels.shape[1])).sum() / total),
    )


def _ink_box(pixels: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(pixels.any(axis=1))
    cols = np.flatnonzero(pixels.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- the timing callback ------------------------------------------------------------------------
class _FakeClock:
    def __init__(self, ticks):
        self.ticks = iter(ticks)

    def __call__(self):
        return next(self.ticks)


def test_epoch_timer_records_each_epoch_with_the_given_clock():
    timer = EpochTimer(clock=_FakeClock([10.0, 13.0, 13.5, 15.5, 20.0, 21.0]))
    timer.on_train_begin()
    for epoch in range(3):
        timer.on_epoch_begin(epoch)
        timer.on_epoch_end(epoch)
    assert timer.seconds == [3.0, 2.0, 1.0]
    assert timer.total == 6.0 and timer.median == 2.0


def test_epoch_timer_starts_afresh_and_refuses_empty_summaries():
    timer = EpochTimer(clock=_FakeClock([0.0, 1.0]))
    timer.on_epoch_begin(0)
    timer.on_epoch_end(0)
    timer.on_train_begin()
    assert timer.seconds == []
    with pytest.raises(ValueError, match="no epoch has been timed"):
        _ = timer.median
    with pytest.raises(RuntimeError, match="never seen to begin"):
        timer.on_epoch_end(0)


def test_epoch_timer_inside_a_real_fit(keras):
    keras.utils.set_random_seed(0)
    model = compile_for_mnist(build_dense_network())
    images = np.random.default_rng(0).random((64, 28, 28, 1)).astype("float32")
    labels = np.arange(64) % 10
    timer = EpochTimer()
    batches = classifier.ShuffledBatches(images, labels, batch_size=32, seed=0)
    model.fit(batches, epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    assert timer.total == pytest.approx(sum(timer.seconds))


def test_shuffled_batches_cover_every_example_once_per_epoch():
    x = np.arange(10 * 2).reshape(10, 2)
    y = np.arange(10)
    batches = classifier.ShuffledBatches(x, y, batch_size=4, seed=7)
    assert len(batches) == 3
    epochs = []
    for _ in range(3):
        parts = [batches[i] for i in range(len(batches))]
        assert [len(part[1]) for part in parts] == [4, 4, 2]
        labels = np.concatenate([part[1] for part in parts])
        inputs = np.concatenate([part[0] for part in parts])
        assert sorted(labels) == list(range(10))
        np.testing.assert_array_equal(inputs, x[labels])  # inputs stay with their labels
        epochs.append(labels)
        batches.on_epoch_end()
    assert not np.array_equal(epochs[0], epochs[1])  # a new order every epoch
    again = classifier.ShuffledBatches(x, y, batch_size=4, seed=7)
    np.testing.assert_array_equal(np.concatenate([again[i][1] for i in range(3)]), epochs[0])
    with pytest.raises(IndexError, match="batch 3 does not exist"):
        batches[3]


@pytest.mark.parametrize(
    ("x", "y", "size", "message"),
    [(np.zeros(3), np.zeros(2), 1, "3 inputs but 2 labels"), (np.zeros(0), np.zeros(0), 1,
     "nothing to train on"), (np.zeros(3), np.zeros(3), 0, "batch_size must be at least 1")],
)
def test_shuffled_batches_refuse_bad_arguments(x, y, size, message):
    with pytest.raises(ValueError, match=message):
        classifier.ShuffledBatches(x, y, batch_size=size)


def test_summary_table_lists_every_run():
    runs = [
        classifier.RunSummary("convnet", 104_202, 15.04, 0.9912, 88),
        classifier.RunSummary("dense <net>", 407_050, 2.51, 0.978, 220),
    ]
    table = classifier.summary_table(runs)
    assert table.count("<tr>") == 3
    for text in ("104,202", "15.0", "99.12%", "88", "407,050", "97.80%", "dense &lt;net&gt;"):
        assert text in table
    with pytest.raises(ValueError):
        classifier.summary_table([])


def test_epoch_table_has_a_line_per_epoch():
    history = {"loss": [0.5, 0.25], "accuracy": [0.8, 0.9], "val_loss": [0.4, 0.3],
               "val_accuracy": [0.85, 0.875]}
    table = classifier.epoch_table(history, [12.34, 10.0]).splitlines()
    assert table[0].split() == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy",
                                "seconds"]
    assert table[2].split() == ["2", "0.2500", "0.9000", "0.3000", "0.8750", "10.0"]
    assert len(classifier.epoch_table(history).splitlines()[1].split()) == 5
    with pytest.raises(ValueError, match="2 timings for 1 epochs"):
        classifier.epoch_table({k: v[:1] for k, v in history.items()}, [1.0, 2.0])
    with pytest.raises(ValueError, match="fit with validation_data"):
        classifier.epoch_table({"loss": [1.0], "accuracy": [0.5]})


# -- confusion counts ---------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=60))
def test_confusion_matrix_counts_like_a_loop(pairs):
    labels = [a for a, _ in pairs]
    predictions = [b for _, b in pairs]
    expected = np.zeros((10, 10), dtype=int)
    for a, b in pairs:
        expected[a, b] += 1
    matrix = confusion_matrix(labels, predictions)
    np.testing.assert_array_equal(matrix, expected)
    assert matrix.sum() == len(pairs)


def test_confusion_matrix_refuses_bad_input():
    with pytest.raises(ValueError, match="3 labels but 2 predictions"):
        confusion_matrix([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="between 0 and 9"):
        confusion_matrix([1, 10], [1, 2])


def test_most_confused_orders_mistakes_and_pairs():
    matrix = np.diag([100] * 10)
    matrix[4, 9], matrix[9, 4], matrix[3, 5], matrix[7, 2] = 5, 4, 6, 6
    assert most_confused(matrix, 3) == [(3, 5, 6), (7, 2, 6), (4, 9, 5)]
    assert most_confused(matrix, 2, unordered=True) == [(4, 9, 9), (2, 7, 6)]
    assert most_confused(np.diag([5] * 10)) == []
    with pytest.raises(ValueError, match="square"):
        most_confused(np.zeros((3, 4)))


def test_result_figures_draw():
    history = {"loss": [0.5, 0.3], "val_loss": [0.4, 0.35], "accuracy": [0.8, 0.9],
               "val_accuracy": [0.85, 0.88]}
    fig = classifier.plot_learning_curves({"a": history, "b": history})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 4
    with pytest.raises(ValueError, match="no \\['val_loss'\\]"):
        without = {k: v for k, v in history.items() if k != "val_loss"}
        classifier.plot_learning_curves({"a": without})
    matrix = confusion_matrix([1, 1, 2, 3], [1, 7, 2, 5])
    fig = classifier.plot_confusion_matrix(matrix)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"1", "0"} <= texts  # the diagonal is written, zero mistakes are not
    images = np.zeros((3, 28, 28))
    probabilities = np.eye(10)[[1, 2, 3]] * 0.9 + 0.01
    fig = classifier.show_mistakes(images, [1, 5, 3], probabilities, columns=2, indices=[4, 8, 9])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["1 → 1\n91%", "5 → 2\n91%", "3 → 3\n91%"]
    assert [ax.get_xlabel() for ax in fig.axes[:3]] == ["#4", "#8", "#9"]
    assert [ax.title.get_color() for ax in fig.axes[:2]] == ["black", "#c0392b"]


# -- inside the model ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def untrained(keras):
    keras.utils.set_random_seed(1)
    return build_convnet()


@pytest.fixture(scope="module")
def test_digits():
    """Twelve synthetic 'test digits' with labels chosen so the untrained model is wrong on some."""
    rng = np.random.default_rng(3)
    images = rng.random((12, 28, 28, 1)).astype("float32")
    labels = np.arange(12) % 10
    return images, labels


@pytest.fixture(scope="module")
def cache(untrained, test_digits):
    images, labels = test_digits
    return ActivationCache.compute(untrained, images, labels, [0, 1, 2, 3, 7, 9, 3])


@pytest.fixture(scope="module")
def closed_cache(untrained, test_digits):
    """A cache that computes no digit beyond the precomputed ones."""
    images, labels = test_digits
    return ActivationCache.compute(untrained, images, labels, [0, 1, 2, 3], on_demand=0)


def test_feature_layers_and_their_activations_match_the_model(untrained, test_digits):
    names = classifier.feature_layer_names(untrained)
    assert names == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    images, _ = test_digits
    outputs = classifier.layer_activations(untrained, images[:5], ["conv2"], batch_size=2)
    assert set(outputs) == {"conv2", "probabilities"}
    assert outputs["conv2"].shape == (5, 11, 11, 64)
    np.testing.assert_allclose(
        outputs["probabilities"], untrained.predict(images[:5], verbose=0), rtol=1e-5, atol=1e-6
    )
    with pytest.raises(ValueError, match="not feature-map layers"):
        classifier.layer_activations(untrained, images[:1], ["classifier"])


def test_cache_holds_every_layer_for_the_chosen_digits(cache, untrained, test_digits):
    images, labels = test_digits
    np.testing.assert_array_equal(cache.indices, [0, 1, 2, 3, 7, 9])
    shapes = {name: values.shape[1:] for name, values in cache.maps.items()}
    assert shapes == {
        "conv1": (26, 26, 32), "pool1": (13, 13, 32), "conv2": (11, 11, 64),
        "pool2": (5, 5, 64), "conv3": (3, 3, 128),
    }
    assert all(values.dtype == np.float16 for values in cache.maps.values())
    np.testing.assert_array_equal(cache.labels, labels[cache.indices])
    direct = untrained.predict(images[cache.indices], verbose=0)
    np.testing.assert_allclose(cache.probabilities, direct, rtol=1e-5, atol=1e-6)
    expected_mistakes = cache.indices[direct.argmax(1) != labels[cache.indices]]
    np.testing.assert_array_equal(cache.mistakes, expected_mistakes)
    assert cache.position(7) == 4 and cache.position(5) is None
    view = cache.view(7)
    assert view.label == labels[7] and view.maps["conv3"].shape == (3, 3, 128)
    np.testing.assert_array_equal(view.probabilities, cache.probabilities[4])
    with pytest.raises(ValueError, match="between 0 and 11"):
        ActivationCache.compute(untrained, images, labels, [12])
    with pytest.raises(ValueError, match="12 images but 3 labels"):
        ActivationCache.compute(untrained, images, labels[:3], [1])


def test_digits_not_precomputed_are_computed_once_on_demand(cache, untrained, test_digits):
    images, labels = test_digits
    view = cache.view(5)
    assert view.test_index == 5 and view.label == labels[5]
    direct = untrained.predict(images[5:6], verbose=0)[0]
    np.testing.assert_allclose(view.probabilities, direct, rtol=1e-5, atol=1e-6)
    maps = classifier.layer_activations(untrained, images[5:6])
    for name, values in view.maps.items():
        assert values.dtype == np.float16
        np.testing.assert_allclose(values, maps[name][0], rtol=1e-2, atol=1e-3)
    assert cache.view(5) is view  # remembered, not computed again
    with pytest.raises(ValueError, match="there is no test digit 12: the test set has 12"):
        cache.view(12)


def test_a_closed_cache_refuses_other_digits(closed_cache):
    assert closed_cache.view(2).label == 2
    with pytest.raises(ValueError, match="test digit 5 is not in the explorer's cache, which "
                                         "holds test digits 0 to 3; choose one of those"):
        closed_cache.view(5)


def test_kernel_and_feature_map_figures(untrained, cache):
    fig = classifier.plot_kernels(untrained.get_layer("conv1").kernel.numpy())
    assert sum(1 for ax in fig.axes if ax.images) == 32
    with pytest.raises(ValueError, match="first-layer kernel"):
        classifier.plot_kernels(untrained.get_layer("conv2").kernel.numpy())
    maps = {name: values[0] for name, values in cache.maps.items()}
    fig = classifier.plot_feature_maps(cache.images[0], maps, channels=4)
    assert sum(1 for ax in fig.axes if ax.images) == 1 + 5 * 4
    fig = classifier.plot_explorer_overview(cache, [0, 7])
    assert sum(1 for ax in fig.axes if ax.images) == 2 * 6


def test_feature_maps_svg_draws_runs_of_one_colour():
    maps = np.zeros((4, 5, 2))
    maps[1, 1:4, 0] = 2.0  # a run of three bright cells in channel 0
    maps[3, 0, 1] = 1.0  # one half-bright cell in channel 1
    svg = feature_maps_svg(maps, label="two maps", channels=[6, 7], cell=3, columns=8, levels=5)
    assert svg.count("<rect") == 2  # one background per map
    paths = re.findall(r'<path d="([^"]*)" fill="(#[0-9a-f]{6})"/>', svg)
    assert len(paths) == 2
    table = classifier._colour_table("viridis", 5)
    # channel 1 sits 5*3 + 8 = 23 pixels to the right; its cell is at row 3, column 0
    assert ("M23 9h3v3h-3z", table[2]) in paths
    assert ("M3 3h9v3h-9z", table[4]) in paths
    assert ">ch 6<" in svg and ">ch 7<" in svg and 'aria-label="two maps"' in svg
    with pytest.raises(ValueError, match="2 maps but 1 channel numbers"):
        feature_maps_svg(maps, label="x", channels=[1])
    with pytest.raises(ValueError, match="shape"):
        feature_maps_svg(np.zeros((4, 5)), label="x")


def test_probability_bars_mark_the_answer_and_the_truth():
    probabilities = np.full(10, 0.02)
    probabilities[4] = 0.82
    right = classifier.probability_bars_svg(probabilities, true_label=4)
    wrong = classifier.probability_bars_svg(probabilities, true_label=9)
    assert right.count("<rect") == 10 and "82%" in right and "#1f5fa8" in right
    assert "#c0392b" in wrong and "#c0392b" not in right
    assert re.search(r'font-weight="bold"[^>]*>9<', wrong)


# -- the explorer -------------------------------------------------------------------------------
def _map_captions(explorer):
    return re.findall(r">ch (\d+)<", explorer.picture.value)


def test_explorer_shows_the_chosen_digit_layer_and_channels(cache):
    explorer = ModelExplorer(cache)
    assert repr(explorer) == "ModelExplorer(digit=0, layer='conv1', channels=(0, 7))"
    assert explorer.error == ""
    assert _map_captions(explorer) == [str(c) for c in range(8)]
    assert "26×26×32" in explorer.picture.value
    explorer.index.value = 7
    explorer.layer.value = "pool2"
    explorer.channels.value = (60, 63)
    assert explorer.error == ""
    assert "test digit 7: a 7" in explorer.picture.value
    assert "the model says" in explorer.picture.value
    assert "5×5×64" in explorer.picture.value
    assert _map_captions(explorer) == ["60", "61", "62", "63"]
    assert repr(explorer) == "ModelExplorer(digit=7, layer='pool2', channels=(60, 63))"


def test_explorer_steps_through_the_mistakes(cache):
    mistakes = cache.mistakes
    assert len(mistakes) >= 2  # an untrained model gets most of these wrong
    explorer = ModelExplorer(cache)
    explorer.show.value = "mistakes"
    for number, test_index in enumerate(mistakes):
        explorer.mistake.value = number
        assert explorer.error == ""
        assert f"test digit {test_index}:" in explorer.picture.value
        assert "wrong" in explorer.picture.value
    assert explorer.index.disabled and not explorer.mistake.disabled
    assert repr(explorer).startswith(f"ModelExplorer(mistake={len(mistakes) - 1},")


def test_explorer_explains_impossible_choices_and_keeps_the_picture(cache):
    explorer = ModelExplorer(cache)
    before = explorer.picture.value
    explorer.channels.value = (30, 40)
    assert explorer.error == "conv1 has 32 channels, numbered 0 to 31: choose channels up to 31"
    assert explorer.picture.value == before
    explorer.layer.value = "conv3"
    assert explorer.error == ""
    explorer.channels.value = (0, 20)
    assert "draws at most 16 at a time" in explorer.error
    explorer.channels.value = (0, 3)
    explorer.index.value = 5  # not precomputed: computed now
    assert explorer.error == "" and "test digit 5: a 5" in explorer.picture.value


def test_cache_description_names_a_leading_run_and_the_mistakes(untrained, test_digits):
    images, labels = test_digits
    wrong = np.flatnonzero(untrained.predict(images, verbose=0).argmax(1) != labels)
    later = wrong[wrong > 3]  # digit 3 stays out, so the run is 0 to 2
    assert len(later) > 0
    cache = ActivationCache.compute(untrained, images, labels, np.union1d([0, 1, 2], later))
    assert cache.describe() == (
        f"test digits 0 to 2 and the {len(later)} digits after them that the model gets wrong"
    )
    scattered = ActivationCache.compute(untrained, images, labels, [4, 6], on_demand=0)
    assert scattered.describe() == "2 other digits (4, 6)"


def test_explorer_on_a_closed_cache_names_the_digits_it_has(closed_cache):
    explorer = ModelExplorer(closed_cache, layer="pool2", channels=(0, 3))
    assert explorer.index.max == 11
    explorer.index.value = 6
    assert explorer.error == (
        "test digit 6 is not in the explorer's cache, which holds test digits 0 to 3; "
        "choose one of those"
    )
    explorer.index.value = 3
    assert explorer.error == "" and "test digit 3: a 3" in explorer.picture.value


def test_explorer_without_mistakes_says_so(untrained, test_digits):
    images, _ = test_digits
    labels = untrained.predict(images[:3], verbose=0).argmax(1)  # the model is always right
    perfect = ActivationCache.compute(untrained, images[:3], labels, [0, 1, 2])
    explorer = ModelExplorer(perfect, layer="pool1")
    explorer.show.value = "mistakes"
    assert "no mistakes to step through" in explorer.error


@settings(max_examples=40, deadline=None)
@given(
    show=st.sampled_from(["digit", "mistakes"]),
    index=st.integers(0, 11),
    mistake=st.integers(0, 20),
    layer=st.sampled_from(["conv1", "pool1", "conv2", "pool2", "conv3"]),
    channels=st.tuples(st.integers(0, 127), st.integers(0, 127)).map(sorted),
)
def test_explorer_never_raises(cache, show, index, mistake, layer, channels):
    explorer = ModelExplorer(cache)
    explorer.show.value = show
    explorer.index.value = index
    explorer.mistake.value = mistake  # clipped by the slider to the mistakes there are
    explorer.layer.value = layer
    explorer.channels.value = tuple(channels)
    if explorer.error == "":
        shown = [int(c) for c in _map_captions(explorer)]
        assert shown == list(range(channels[0], channels[1] + 1))
    else:
        assert explorer.error.endswith(("up to 31", "up to 63", "narrow the range"))


# -- preprocessing like MNIST -------------------------------------------------------------------
def test_the_digit_is_scaled_to_a_20_pixel_box_and_centred_by_mass():
    result = preprocess_digit(_on_canvas(SEVEN))
    digit = result.digit
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0.0 and digit.max() <= 1.0
    assert _ink_box(digit) == (20, 14)  # 7x5 scaled by 20/7: 20 x round(14.3)
    row, col = _centre_of_mass(digit)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert not result.inverted
    assert result.cropped.shape == SEVEN.shape


@pytest.mark.parametrize("ink", [SEVEN, _ring(9), np.ones((3, 12))], ids=["seven", "zero", "bar"])
def test_position_does_not_matter(ink):
    here = preprocess_digit(_on_canvas(ink, at=(2, 3))).digit
    there = preprocess_digit(_on_canvas(ink, shape=(60, 45), at=(30, 20))).digit
    np.testing.assert_array_equal(here, there)


def test_dark_ink_on_light_paper_is_inverted():
    bright_ink = preprocess_digit(_on_canvas(_ring()))
    dark_ink = preprocess_digit(1.0 - _on_canvas(_ring()))
    assert dark_ink.inverted and not bright_ink.inverted
    np.testing.assert_allclose(dark_ink.digit, bright_ink.digit, atol=1e-6)


def test_number_range_and_colour_channels_do_not_matter():
    ink = _on_canvas(_ring())
    reference = preprocess_digit(ink).digit
    as_bytes = (255 - ink * 200).astype(np.uint8)  # grey ink on white paper
    rgb = np.repeat(as_bytes[..., None], 3, axis=-1)
    rgba = np.dstack([np.zeros_like(as_bytes)] * 3 + [(ink * 255).astype(np.uint8)])
    for picture in (ink * 1000.0, as_bytes, rgb, rgba, ink.astype(bool)):
        np.testing.assert_allclose(preprocess_digit(picture).digit, reference, atol=1e-6)


def test_scale_does_not_matter_much():
    small = preprocess_digit(_on_canvas(_ring(9))).digit
    large = preprocess_digit(np.kron(_on_canvas(_ring(9)), np.ones((4, 4)))).digit
    np.testing.assert_allclose(small, large, atol=1e-6)  # 9x7 and 36x28 both become 20x16 boxes


def test_noise_fainter_than_the_threshold_is_removed():
    rng = np.random.default_rng(0)
    paper = 0.9 - 0.7 * _on_canvas(SEVEN, shape=(30, 30), at=(10, 12))
    noisy = np.clip(paper + rng.normal(0, 0.02, paper.shape), 0, 1)
    clean = preprocess_digit(paper).digit
    assert _ink_box(preprocess_digit(noisy).digit) == _ink_box(clean) == (20, 14)


def test_an_mnist_like_digit_comes_back_almost_unchanged():
    digit = preprocess_digit(_on_canvas(_ring(9))).digit
    again = preprocess_digit(digit).digit
    assert np.abs(again - digit).max() < 0.2 and np.abs(again - digit).mean() < 0.01


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (np.zeros((10, 10)), "blank"),
        (np.full((5, 5, 3), 7), "blank"),
        (np.zeros((2, 3, 4, 5)), "expected a grey"),
        (np.array([["a"]]), "holds numbers"),
        (np.array([[np.nan, 1.0]]), "not finite"),
    ],
)
def test_pictures_that_cannot_be_digits_are_refused(picture, message):
    with pytest.raises(ValueError, match=message):
        preprocess_digit(picture)


def test_preprocessing_figure_has_every_step(untrained):
    result = preprocess_digit(1.0 - _on_canvas(SEVEN, shape=(33, 43)))
    assert [title for title, _ in result.steps()] == [
        "your picture\n33×43", "ink made bright\n(inverted)", "cropped\n7×5", "scaled\n20×14",
        "centred\n28×28",
    ]
    fig = classifier.plot_preprocessing(result, np.full(10, 0.1))
    assert len(fig.axes) == 6


# -- text art and the digit pad -----------------------------------------------------------------
def test_text_art_becomes_ink():
    pixels = parse_text_art("\n\n.#+\n#\n  \n")
    np.testing.assert_array_equal(pixels, [[0, 1, 0.5], [1, 0, 0]])


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("...\n. .", "no ink"), ("..#\n.x.", "line 2, column 2 holds 'x'")],
)
def test_text_art_mistakes_are_explained(text, message):
    with pytest.raises(ValueError, match=message):
        parse_text_art(text)


def _png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_digit_pad_classifies_the_drawing(untrained):
    pad = DigitPad(untrained)
    assert pad.error == ""
    assert repr(pad) == "DigitPad(source='drawing', size='14x14')"
    result, probabilities = pad.classify()
    assert result.inverted  # the text art is dark ink on white paper
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert f"the model says {int(probabilities.argmax())}" in pad.picture.value
    pad.drawing.value = "#####\n....#\n...#.\n..#..\n.#..."
    assert pad.error == "" and repr(pad) == "DigitPad(source='drawing', size='5x5')"


def test_digit_pad_explains_bad_drawings_and_missing_files(untrained):
    pad = DigitPad(untrained)
    before = pad.picture.value
    pad.drawing.value = "..o.."
    assert pad.error.startswith("line 1, column 3 holds 'o'")
    assert pad.picture.value == before
    pad.drawing.value = "....."
    assert "no ink" in pad.error
    pad.source.value = "file"
    assert pad.error == "upload a picture of a digit first (PNG or JPEG)"


def test_digit_pad_reads_an_uploaded_picture(untrained):
    pad = DigitPad(untrained)
    picture = (255 - 255 * _on_canvas(_ring(), shape=(30, 30))).astype(np.uint8)
    upload = {"name": "zero.png", "type": "image/png", "size": 0,
              "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
              "content": memoryview(_png_bytes(picture))}
    pad.upload.value = (upload,)
    assert pad.source.value == "file" and pad.error == ""
    assert repr(pad) == "DigitPad(source='file', file='zero.png')"
    result, _ = pad.classify()
    np.testing.assert_allclose(result.digit, preprocess_digit(picture).digit, atol=1e-6)
    pad.upload.value = ({**upload, "content": memoryview(b"not an image")},)
    assert pad.error.startswith("that file could not be read as an image")


def test_digit_pad_shrinks_large_pictures(untrained):
    pad = DigitPad(untrained)
    photo = np.full((900, 700), 240, dtype=np.uint8)
    photo[200:700, 300:360] = 20  # a big "1"
    upload = {"name": "one.png", "type": "image/png", "size": 0,
              "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
              "content": memoryview(_png_bytes(photo))}
    pad.upload.value = (upload,)
    assert pad.error == ""
    result, _ = pad.classify()
    assert max(result.grey.shape) == classifier.UPLOAD_SIZE
    assert pad.picture.value.count("<rect") < 48 * 48 + 28 * 28 + 20
    assert _ink_box(result.digit)[0] == 20


# -- variants -----------------------------------------------------------------------------------
def test_same_padding_variant_keeps_the_maps_larger():
    variant = convnet_variant(build_convnet(), padding="same")
    assert [tuple(variant.get_layer(n).output.shape[1:3]) for n in
            ("conv1", "pool1", "conv2", "pool2", "conv3")] == [
        (28, 28), (14, 14), (14, 14), (7, 7), (7, 7)]
    assert variant.count_params() == 320 + 18_496 + 73_856 + (7 * 7 * 128 + 1) * 10


def test_variant_refuses_unknown_and_impossible_settings():
    with pytest.raises(ValueError, match="no setting"):
        convnet_variant(build_convnet(), colour="red")
    with pytest.raises(ValueError, match="do not fit the model"):
        convnet_variant(build_convnet(), kernel_size=5)  # conv3 would meet a 4x4 input
    with pytest.raises(ValueError, match="at least one"):
        convnet_variant(build_convnet())
