"""Shared fixtures for the unit tests."""

from __future__ import annotations

import pytest

import convbook


@pytest.fixture(scope="session")
def keras():
    """Keras on the TensorFlow backend, imported without TensorFlow's start-up log."""
    convbook.silence_tensorflow()
    import keras as keras_module

    return keras_module
