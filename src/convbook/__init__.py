"""Helpers shared by the notebooks of *Convolutional neural networks, hands on*.

The notebooks import from here instead of pasting code into each other:

- :mod:`convbook.data` loads MNIST (from an offline copy or through Keras);
- :mod:`convbook.ops` holds the NumPy reference operations (convolution, padding, pooling);
- :mod:`convbook.models` builds, counts and times the course's models;
- :mod:`convbook.style` names the book's colours and line styles, :mod:`convbook.plotting` draws
  the figures and animations the chapters share, :mod:`convbook.exercises` checks the learner's
  answers;
- one module per chapter topic (:mod:`convbook.convolution`, :mod:`convbook.geometry`,
  :mod:`convbook.pooling`, :mod:`convbook.training`, :mod:`convbook.results`,
  :mod:`convbook.activations`, :mod:`convbook.digits`, ...);
- :mod:`convbook.explorers`: the interactive explorers, which compute in the reader's browser.

This package imports TensorFlow only where a module needs Keras, and always through
:func:`silence_tensorflow`.
"""

from __future__ import annotations

import contextlib
import os
import sys

__version__ = "1.0.0"
__all__ = ["silence_tensorflow"]


@contextlib.contextmanager
def _stderr_fd_to_devnull():
    """Point file descriptor 2 at /dev/null for the duration of the block.

    TensorFlow's C++ runtime writes to the file descriptor directly, past ``sys.stderr``, so a
    Python-level redirect cannot catch it.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def silence_tensorflow() -> None:
    """Import TensorFlow without the start-up log lines it prints to standard error.

    TensorFlow announces oneDNN and absl logging on stderr at import time even when
    ``TF_CPP_MIN_LOG_LEVEL`` is set; inside Jupyter that text lands in the notebook and makes its
    stored output differ from run to run. Call this before ``import keras``: the later imports find
    TensorFlow already loaded and print nothing. Calling it again does nothing.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules:
        return
    with _stderr_fd_to_devnull():
        import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
