"""MNIST loading: the offline copy, Keras' download, and the messages when neither works."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from convbook import data


def _fake_mnist(**overrides):
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    arrays.update(overrides)
    return {key: value for key, value in arrays.items() if value is not None}


@pytest.fixture
def offline_copy(tmp_path, monkeypatch):
    """Write a .npz and point MNIST_NPZ at it; returns a function that takes the arrays."""

    def write(arrays):
        path = tmp_path / "mnist.npz"
        np.savez_compressed(path, **arrays)
        monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
        return path

    return write


def test_offline_copy_is_returned_like_keras(offline_copy):
    arrays = _fake_mnist()
    arrays["y_test"][:3] = [7, 2, 1]
    offline_copy(arrays)
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and x_test.shape == (10000, 28, 28)
    assert list(y_test[:3]) == [7, 2, 1]


def test_the_real_offline_copy_is_mnist():
    if not os.environ.get(data.MNIST_ENV_VAR):
        if os.environ.get("CI"):
            pytest.fail("CI must point MNIST_NPZ at the offline MNIST copy")
        pytest.skip("set MNIST_NPZ to an MNIST copy to check it")
    (x_train, y_train), (_, y_test) = data.load_mnist()
    assert np.bincount(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]
    assert round(float(x_train.mean()) / 255, 5) == 0.13066
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9] and y_test[:5].tolist() == [7, 2, 1, 0, 4]


def test_missing_offline_copy_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "nowhere.npz"))
    with pytest.raises(data.MnistUnavailableError, match="there is no file there") as caught:
        data.load_mnist()
    assert "export MNIST_NPZ=" in str(caught.value)


def test_corrupt_file_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(path))
    with pytest.raises(data.MnistUnavailableError, match="not a readable .npz file"):
        data.load_mnist()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"x_train": np.zeros((100, 28, 28), np.uint8)}, "'x_train' has shape \\(100, 28, 28\\)"),
        ({"x_test": np.zeros((10000, 28, 28), np.float32)}, "dtype float32"),
        ({"y_test": None}, "'y_test' is missing"),
    ],
)
def test_wrong_arrays_are_reported(offline_copy, override, message):
    offline_copy(_fake_mnist(**override))
    with pytest.raises(data.MnistUnavailableError, match=message):
        data.load_mnist()


def test_without_offline_copy_keras_downloads(monkeypatch, keras):
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    sentinel = ((np.zeros(1), np.zeros(1)), (np.zeros(1), np.zeros(1)))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: sentinel)
    assert data.load_mnist() is sentinel


def test_failed_download_gives_a_short_message(monkeypatch, keras):
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)

    def offline(*args, **kwargs):
        raise Exception(  # what keras.utils.get_file raises when the network is down
            "URL fetch failure on https://example.invalid/mnist.npz: None -- "
            "[Errno -3] Temporary failure in name resolution\nmore detail"
        )

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(data.MnistUnavailableError) as caught:
        data.load_mnist()
    message = str(caught.value)
    assert "Keras could not download it (URL fetch failure" in message
    assert "more detail" not in message and data.MNIST_ENV_VAR in message
    # Jupyter shows the message alone, as one line of advice, not the loader's traceback.
    assert caught.value._render_traceback_() == [f"MnistUnavailableError: {message}"]


def test_command_line_check_fails_with_the_message_not_a_traceback(tmp_path):
    environment = dict(os.environ, MNIST_NPZ=str(tmp_path / "missing.npz"))
    result = subprocess.run(
        [sys.executable, "-m", "convbook.data"], env=environment, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.startswith("MNIST is not available: MNIST_NPZ is set to")
    assert "Traceback" not in result.stderr


def test_command_line_check_succeeds_on_a_valid_copy(offline_copy):
    offline_copy(_fake_mnist())
    result = subprocess.run(
        [sys.executable, "-m", "convbook.data"], capture_output=True, text=True, env=os.environ
    )
    assert result.returncode == 0
    assert result.stdout == "MNIST is ready: 60,000 training and 10,000 test images.\n"


def test_as_model_input_scales_and_adds_a_channel():
    images = np.array([[[0, 255]]], dtype=np.uint8)
    prepared = data.as_model_input(images)
    assert prepared.shape == (1, 1, 2, 1) and prepared.dtype == np.float32
    assert prepared.max() == 1.0 and prepared.min() == 0.0
    with pytest.raises(TypeError, match="expected uint8"):
        data.as_model_input(images.astype(float))
