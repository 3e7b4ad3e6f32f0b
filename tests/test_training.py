"""Training helpers (convbook.training): shuffled batches, the run summary and the epoch log."""

from __future__ import annotations

import numpy as np
import pytest

from convbook import training
from convbook.models import EpochTimer, build_dense_network, compile_for_mnist


def test_shuffled_batches_feed_a_real_fit(keras):
    keras.utils.set_random_seed(0)
    model = compile_for_mnist(build_dense_network())
    images = np.random.default_rng(0).random((64, 28, 28, 1)).astype("float32")
    labels = np.arange(64) % 10
    timer = EpochTimer()
    batches = training.ShuffledBatches(images, labels, batch_size=32, seed=0)
    model.fit(batches, epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    assert timer.total == pytest.approx(sum(timer.seconds))


def test_shuffled_batches_cover_every_example_once_per_epoch():
    x = np.arange(10 * 2).reshape(10, 2)
    y = np.arange(10)
    batches = training.ShuffledBatches(x, y, batch_size=4, seed=7)
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
    again = training.ShuffledBatches(x, y, batch_size=4, seed=7)
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
        training.ShuffledBatches(x, y, batch_size=size)


def test_summary_table_lists_every_run():
    runs = [
        training.RunSummary("convnet", 104_202, 15.04, 0.9912, 88),
        training.RunSummary("dense <net>", 407_050, 2.51, 0.978, 220),
    ]
    table = training.summary_table(runs)
    assert table.count("<tr>") == 3
    for text in ("104,202", "15.0", "99.12%", "88", "407,050", "97.80%", "dense &lt;net&gt;"):
        assert text in table
    with pytest.raises(ValueError):
        training.summary_table([])


def test_epoch_table_has_a_line_per_epoch():
    history = {"loss": [0.5, 0.25], "accuracy": [0.8, 0.9], "val_loss": [0.4, 0.3],
               "val_accuracy": [0.85, 0.875]}
    table = training.epoch_table(history, [12.34, 10.0]).splitlines()
    assert table[0].split() == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy",
                                "seconds"]
    assert table[2].split() == ["2", "0.2500", "0.9000", "0.3000", "0.8750", "10.0"]
    assert len(training.epoch_table(history).splitlines()[1].split()) == 5
    with pytest.raises(ValueError, match="2 timings for 1 epochs"):
        training.epoch_table({k: v[:1] for k, v in history.items()}, [1.0, 2.0])
    with pytest.raises(ValueError, match="fit with validation_data"):
        training.epoch_table({"loss": [1.0], "accuracy": [0.5]})


# -- retraining on a small subset, for the exercises -------------------------------------------
def _stripes(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An easy task: class 0 has a bright row, class 1 a bright column, at random places."""
    rng = np.random.default_rng(seed)
    images = rng.random((count, 28, 28, 1)).astype("float32") * 0.1
    labels = np.arange(count) % 2
    for image, label, where in zip(images, labels, rng.integers(4, 24, size=count)):
        if label:
            image[:, where] = 1.0
        else:
            image[where, :] = 1.0
    return images, labels


def test_quick_fit_trains_a_fresh_copy_and_leaves_the_model_alone(keras):
    train, validation = _stripes(256), _stripes(64, seed=1)
    model = build_dense_network()
    before = [weights.copy() for weights in model.get_weights()]
    run = training.quick_fit(model, train, validation, epochs=2, seed=3)
    assert run.parameters == 407_050 and run.seconds > 0
    assert run.accuracy > 0.9  # the task is easy
    for kept, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(kept, now)
    # The same seed gives the same run, whatever training the model had before.
    again = training.quick_fit(model, train, validation, epochs=2, seed=3)
    assert again.accuracy == run.accuracy
    with pytest.raises(ValueError, match="at least 1"):
        training.quick_fit(model, train, validation, epochs=0)


def test_scramble_pixels_moves_every_image_the_same_way():
    images = np.arange(3 * 4 * 5).reshape(3, 4, 5).astype(float)
    scrambled = training.scramble_pixels(images, seed=2)
    assert scrambled.shape == images.shape
    for image, mixed in zip(images, scrambled):
        assert sorted(mixed.ravel()) == sorted(image.ravel())  # the same values, moved
        assert not np.array_equal(mixed, image)
    # One order for all: pixel k of every image lands in the same place.
    order = (scrambled - images[:, :1, :1]).reshape(3, -1)
    np.testing.assert_array_equal(order[0], order[1])
    with_channel = training.scramble_pixels(images[..., None], seed=2)
    np.testing.assert_array_equal(with_channel[..., 0], scrambled)
    np.testing.assert_array_equal(training.scramble_pixels(images, seed=2), scrambled)
    with pytest.raises(ValueError, match="expected"):
        training.scramble_pixels(np.zeros((2, 4, 4, 3)))


def test_quick_runs_figure_labels_every_bar():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convbook.style import SERIES_COLOURS

    runs = {"a": training.QuickRun(0.925, 104_202, 3.0),
            "b": training.QuickRun(0.8, 73_226, 2.0)}
    fig = training.plot_quick_runs(runs, series=[0, 2], title="t")
    ax = fig.axes[0]
    assert [text.get_text() for text in ax.texts] == [
        "92.5%  (104,202 parameters)", "80.0%  (73,226 parameters)"]
    colours = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert colours == [SERIES_COLOURS[0], SERIES_COLOURS[2]]
    ticks = {label.get_text(): label.get_position()[1] for label in ax.get_yticklabels()}
    assert ticks["a"] > ticks["b"]  # the first run on top
    with pytest.raises(ValueError, match="1 series for 2 runs"):
        training.plot_quick_runs(runs, series=[0])
    with pytest.raises(ValueError, match="no runs"):
        training.plot_quick_runs({})
    plt.close("all")


@pytest.mark.parametrize(
    ("number", "right", "wrong"),
    [
        (3, "lower", {"same": "not what matters", "higher": "Fewer weights"}),
        (4, "convnet", {"dense network": "separate weight for every pixel",
                        "both": "never uses which pixels", "neither": "relies on neighbouring"}),
    ],
)
def test_the_retraining_exercises_accept_the_right_prediction_only(number, right, wrong):
    check = training.EXERCISES[number]
    assert check(right) and check(f"  {right.upper()} ")
    assert check(...).status == "unanswered"
    for answer, hint in wrong.items():
        verdict = check(answer)
        assert verdict.status == "wrong" and hint in verdict.text, verdict.text
    assert "one of the words" in check("maybe").text
    assert "one of the words" in check(3).text
