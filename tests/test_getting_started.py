"""The getting-started chapter's helpers: the small dense network and the exercises' checks."""

from __future__ import annotations

import numpy as np

from convbook.getting_started import EXERCISES, small_dense_network, train_briefly


def _hint(check, answer) -> str:
    verdict = check(answer)
    assert verdict.status == "wrong", (answer, verdict)
    return verdict.text


def test_exercise_1_most_common_test_digit():
    check = EXERCISES[1]
    assert check(1) and check(np.int64(1)) and "1,135" in check(1).text
    assert "which digit" in _hint(check, 1135) and "which digit" in _hint(check, 0.1135)
    assert "rarest" in _hint(check, 5)
    assert "np.bincount" in _hint(check, 7)
    assert check(...).status == "unanswered"


def test_exercise_2_prediction():
    check = EXERCISES[2]
    assert check("scaled") and check("Scaled ")
    assert "harder time" in _hint(check, "raw") and "255-fold" in _hint(check, "same")
    assert "one of the words 'raw', 'scaled' or 'same'" in _hint(check, "bytes")


def test_small_dense_network_takes_bytes_and_trains():
    model = small_dense_network()
    assert model.count_params() == (784 + 1) * 64 + (64 + 1) * 10
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=200)
    images = np.zeros((200, 28, 28, 1), dtype=np.uint8)
    for index, label in enumerate(labels):  # a bright bar whose row is the label
        images[index, 2 * label + 2 : 2 * label + 5, 6:22, 0] = 255
    scaled = images.astype("float32") / 255
    accuracy = train_briefly((scaled[:160], labels[:160]), (scaled[160:], labels[160:]),
                             epochs=3)
    assert 0.5 < accuracy <= 1
    raw = train_briefly((images[:160], labels[:160]), (images[160:], labels[160:]), epochs=1)
    assert 0 <= raw <= 1  # raw bytes are accepted as they are
