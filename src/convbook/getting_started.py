"""The getting-started chapter's helpers: a tiny dense network, and the checks of its exercises.

- :func:`small_dense_network` and :func:`train_briefly` build and train, in a second or two, the
  small network with which the chapter shows why the course scales pixels to ``[0, 1]``.
- :data:`EXERCISES` holds the checks of the chapter's exercises.
"""

from __future__ import annotations

import numpy as np

from convbook import silence_tensorflow
from convbook.exercises import Check, choice_check, number_check

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = ["small_dense_network", "train_briefly", "EXERCISES"]


def small_dense_network() -> keras.Model:
    """Flatten -> Dense(64, relu) -> Dense(10, softmax), for ``(28, 28, 1)`` inputs."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="digit"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(64, activation="relu", name="hidden"),
            keras.layers.Dense(10, activation="softmax", name="classifier"),
        ],
        name="small_dense",
    )


def train_briefly(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 2,
    seed: int = 0,
) -> float:
    """Train :func:`small_dense_network` on ``train`` and return its accuracy on ``test``.

    RMSprop with its default learning rate and batches of 64, as the course trains every model;
    ``seed`` fixes the initial weights and the shuffling. The images may be of any dtype (raw
    ``uint8`` bytes included): Keras converts them to ``float32`` as they are.
    """
    keras.utils.set_random_seed(seed)
    model = small_dense_network()
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(*train, epochs=epochs, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(*test, batch_size=256, verbose=0)
    return float(accuracy)


#: The checks of the chapter's exercises, by number.
EXERCISES: dict[int, Check] = {
    1: number_check(
        "Exercise 1",
        1,
        hint="Count the test labels per digit, as the chapter did for the training labels "
        "(np.bincount), and take the digit with the largest count (argmax).",
        explanation="1 is the most common digit in the test set too: 1,135 of the 10,000 "
        "test images (11.3%).",
        mistakes=[
            (1_135, "That is how many test images show the most common digit; the question "
             "asks which digit it is."),
            (11.35, "That is the share of the most common digit; the question asks which digit "
             "it is."),
            (0.1135, "That is the share of the most common digit; the question asks which "
             "digit it is."),
            (5, "5 is the rarest digit in the training set; the question asks for the most "
             "common one in the test set."),
        ],
    ),
    2: choice_check(
        "Exercise 2",
        ("raw", "scaled", "same"),
        "scaled",
        hint="Run the two trainings and compare the two accuracies.",
        explanation="With the same network, optimiser and number of steps, the scaled "
        "pixels train to a clearly higher accuracy. Keras accepts the raw bytes, but inputs "
        "up to 255 make the first layer's sums, and the effect of each weight update on them, "
        "hundreds of times larger than the initialisation and the learning rate are made for.",
        mistakes={
            "raw": "The raw bytes carry the same information, but the optimisation has a "
            "harder time with them: run the cell and compare.",
            "same": "Keras converts both to float32, but the values differ 255-fold, and the "
            "optimisation notices: run the cell and compare.",
        },
    ),
}
