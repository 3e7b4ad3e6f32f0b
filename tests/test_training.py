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
