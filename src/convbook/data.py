"""Loading MNIST, offline or through Keras.

:func:`load_mnist` returns exactly what ``keras.datasets.mnist.load_data()`` returns. It reads the
file named by the environment variable ``MNIST_NPZ`` when that is set (how CI and offline readers
work) and otherwise lets Keras download the data and cache it under ``~/.keras/datasets``. When
neither works it raises :class:`MnistUnavailableError`, whose message says what to do; Jupyter
shows that message alone instead of a long traceback.

Run ``python -m convbook.data`` to check that the data can be loaded.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["MNIST_ENV_VAR", "MnistUnavailableError", "load_mnist", "as_model_input"]

MNIST_ENV_VAR = "MNIST_NPZ"

_EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

_HOW_TO_FIX = (
    f"Either connect to the internet so that Keras can download MNIST (11 MB), or point the "
    f"environment variable {MNIST_ENV_VAR} at an offline copy saved by Keras or with "
    f"numpy.savez(x_train=..., y_train=..., x_test=..., y_test=...), for example\n"
    f"    export {MNIST_ENV_VAR}=/path/to/mnist.npz\n"
    f"and restart the kernel (see 'Working offline' in README.md)."
)

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class MnistUnavailableError(RuntimeError):
    """MNIST could be neither read from the offline copy nor downloaded."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this hook instead of printing the traceback: the reader needs the advice,
        # not the stack of the loader.
        return [f"{type(self).__name__}: {self}"]


def _read_offline_copy(path: Path) -> MnistSplits:
    if not path.is_file():
        raise MnistUnavailableError(
            f"{MNIST_ENV_VAR} is set to '{path}', but there is no file there.\n{_HOW_TO_FIX}"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in _EXPECTED_SHAPES if key in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise MnistUnavailableError(
            f"'{path}' (from {MNIST_ENV_VAR}) is not a readable .npz file ({error}).\n{_HOW_TO_FIX}"
        ) from None
    problems = [
        f"'{key}' has shape {arrays[key].shape} and dtype {arrays[key].dtype}, "
        f"expected {shape} uint8"
        if key in arrays
        else f"'{key}' is missing"
        for key, shape in _EXPECTED_SHAPES.items()
        if key not in arrays or arrays[key].shape != shape or arrays[key].dtype != np.uint8
    ]
    if problems:
        raise MnistUnavailableError(
            f"'{path}' (from {MNIST_ENV_VAR}) does not hold MNIST: "
            + "; ".join(problems)
            + f".\n{_HOW_TO_FIX}"
        )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _download_with_keras() -> MnistSplits:
    from convbook import silence_tensorflow

    silence_tensorflow()
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # Keras wraps every network failure in a bare Exception.
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MnistUnavailableError(
            f"MNIST is not available offline and Keras could not download it ({first_line}).\n"
            f"{_HOW_TO_FIX}"
        ) from None


def load_mnist() -> MnistSplits:
    """Return MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras does.

    Images are ``uint8`` arrays of shape ``(n, 28, 28)`` with values 0 to 255 and labels are
    ``uint8`` digits 0 to 9: 60,000 training and 10,000 test examples in their original order.

    Raises:
        MnistUnavailableError: the offline copy named by ``MNIST_NPZ`` is missing or is not
            MNIST, or (with no offline copy) Keras could not download the data.
    """
    offline_copy = os.environ.get(MNIST_ENV_VAR, "").strip()
    if offline_copy:
        return _read_offline_copy(Path(offline_copy).expanduser())
    return _download_with_keras()


def as_model_input(images: np.ndarray) -> np.ndarray:
    """Scale ``uint8`` images to ``float32`` in [0, 1] and add the channel axis Keras expects.

    ``(n, 28, 28)`` becomes ``(n, 28, 28, 1)``; a single ``(28, 28)`` image becomes
    ``(28, 28, 1)``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels 0-255, got {images.dtype}")
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


def _main() -> int:
    try:
        (x_train, _), (x_test, _) = load_mnist()
    except MnistUnavailableError as error:
        print(f"MNIST is not available: {error}", file=sys.stderr)
        return 1
    print(f"MNIST is ready: {len(x_train):,} training and {len(x_test):,} test images.")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
