"""A trained convnet's layers and weights, sent once to the page for the explorers to run.

:class:`Network` is a widget with no view: it only carries, as synced traits, what the browser
needs to run the model (``convnet.js``: ``loadNetwork`` and ``forward``). The explorers of
chapter 6 refer to it through a trait ``network`` (a widget reference), so the page holds one
copy of the weights however many explorers show the same model; :func:`network_for` hands out
that one widget per Keras model.

Each layer is a dict, in the model's order:

- ``name``, ``kind`` (``"conv"``, ``"maxpool"``, ``"avgpool"``, ``"flatten"`` or ``"dense"``),
  ``activation`` (``"relu"``, ``"softmax"`` or ``"linear"``; ``"linear"`` for pooling and
  ``Flatten``);
- ``input_shape`` and ``output_shape``: ``[height, width, depth]`` or ``[units]``;
- ``window`` and ``strides``: ``[rows, columns]`` of the kernel or pooling window (conv and
  pooling layers only);
- ``kernel_shape``, ``kernel`` and ``bias``: the weights as Keras stores them (a ``Conv2D``
  kernel is ``(kh, kw, in, out)``, a ``Dense`` one ``(in, out)``), little-endian ``float32``
  encoded with :func:`convbook.explorers.base.encode_array` (conv and dense layers only).
"""

from __future__ import annotations

import weakref
from typing import Any

import ipywidgets
import numpy as np
import traitlets

from convbook import silence_tensorflow
from convbook.explorers.base import decode_array, encode_array

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = ["Network", "describe_layers", "network_for"]

_ACTIVATIONS = ("relu", "softmax", "linear")
_POOLING = {keras.layers.MaxPooling2D: "maxpool", keras.layers.AveragePooling2D: "avgpool"}


def _activation(layer: keras.layers.Layer) -> str:
    name = keras.activations.serialize(layer.activation)
    name = name if isinstance(name, str) else name.get("config", {}).get("name", str(name))
    if name not in _ACTIVATIONS:
        raise ValueError(f"layer {layer.name!r}: the browser runs {_ACTIVATIONS}, not {name!r}")
    return name


def _pair(values: Any) -> list[int]:
    return [int(value) for value in values]


def _shape(tensor: Any) -> list[int]:
    return [int(size) for size in tensor.shape[1:]]


def describe_layers(model: keras.Model) -> list[dict[str, Any]]:
    """The layers of ``model`` in the form :class:`Network` syncs (see the module's docstring).

    Raises:
        ValueError: a layer or setting the browser does not run (only ``Conv2D`` with
            ``padding="valid"``, max and average pooling, ``Flatten`` and ``Dense``, with ReLU,
            softmax or no activation; one input of shape ``(height, width, channels)``).
    """
    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 4:
        raise ValueError("the browser runs models with one (height, width, channels) input")
    described: list[dict[str, Any]] = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        entry: dict[str, Any] = {
            "name": layer.name,
            "input_shape": _shape(layer.input),
            "output_shape": _shape(layer.output),
            "activation": "linear",
        }
        if isinstance(layer, keras.layers.Conv2D) and type(layer) is keras.layers.Conv2D:
            if layer.padding != "valid" or tuple(layer.dilation_rate) != (1, 1):
                raise ValueError(
                    f"layer {layer.name!r}: the browser runs convolutions with "
                    "padding='valid' and no dilation"
                )
            if layer.groups != 1:
                raise ValueError(f"layer {layer.name!r}: grouped convolutions are not supported")
            entry.update(kind="conv", window=_pair(layer.kernel_size),
                         strides=_pair(layer.strides), activation=_activation(layer))
        elif type(layer) in _POOLING:
            if layer.padding != "valid":
                raise ValueError(f"layer {layer.name!r}: the browser pools with padding='valid'")
            entry.update(kind=_POOLING[type(layer)], window=_pair(layer.pool_size),
                         strides=_pair(layer.strides))
        elif type(layer) is keras.layers.Flatten:
            entry.update(kind="flatten")
        elif type(layer) is keras.layers.Dense:
            entry.update(kind="dense", activation=_activation(layer))
        else:
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) cannot run in the browser: it "
                "runs Conv2D, MaxPooling2D, AveragePooling2D, Flatten and Dense layers"
            )
        if entry["kind"] in ("conv", "dense"):
            if not layer.use_bias:
                raise ValueError(f"layer {layer.name!r}: the browser expects a bias")
            kernel, bias = (np.asarray(weight) for weight in layer.get_weights())
            entry.update(kernel_shape=list(kernel.shape), kernel=encode_array(kernel, "float32"),
                         bias=encode_array(bias, "float32"))
        described.append(entry)
    return described


class Network(ipywidgets.Widget):
    """A Keras convnet's layers and trained weights, synced to the page (no view of its own).

    Build it with :func:`network_for`. Python reads the weights back, exactly as the browser
    decodes them, with :meth:`weights`, and runs them in Keras with :meth:`keras_model`.
    """

    name = traitlets.Unicode().tag(sync=True)
    input_shape = traitlets.List(traitlets.Int()).tag(sync=True)
    layers = traitlets.List(traitlets.Dict()).tag(sync=True)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Network:
        """The network that a saved widget state describes (the state a book page holds)."""
        return cls(**{key: state[key] for key in ("name", "input_shape", "layers")})

    def weights(self) -> list[np.ndarray]:
        """Every kernel and bias, in the order of Keras' ``get_weights()``, as ``float32``."""
        found = []
        for layer in self.layers:
            if "kernel" in layer:
                found.append(decode_array(layer["kernel"], "float32", layer["kernel_shape"]))
                found.append(decode_array(layer["bias"], "float32", [layer["kernel_shape"][-1]]))
        return found

    def keras_model(self) -> keras.Model:
        """A Keras model with these layers and exactly these weights (built once per state).

        The explorers' :meth:`reference` runs it, so Python checks the page against the weights
        the page holds, even when the network came from a saved state.
        """
        key = (self.name, tuple(self.input_shape), repr(self.layers))
        built = getattr(self, "_built", None)
        if built is not None and built[0] == key:
            return built[1]
        inputs = keras.Input(shape=tuple(self.input_shape), name="digit")
        x = inputs
        for layer in self.layers:
            kind, name = layer["kind"], layer["name"]
            if kind == "conv":
                x = keras.layers.Conv2D(
                    layer["kernel_shape"][-1], tuple(layer["window"]),
                    strides=tuple(layer["strides"]), activation=layer["activation"], name=name,
                )(x)
            elif kind in ("maxpool", "avgpool"):
                pooling = keras.layers.MaxPooling2D if kind == "maxpool" else (
                    keras.layers.AveragePooling2D)
                x = pooling(tuple(layer["window"]), strides=tuple(layer["strides"]), name=name)(x)
            elif kind == "flatten":
                x = keras.layers.Flatten(name=name)(x)
            else:
                x = keras.layers.Dense(
                    layer["kernel_shape"][-1], activation=layer["activation"], name=name
                )(x)
        model = keras.Model(inputs, x, name=self.name)
        model.set_weights(self.weights())
        self._built = (key, model)
        return model

    def __repr__(self) -> str:
        kinds = ", ".join(f"{layer['name']} ({layer['kind']})" for layer in self.layers)
        return f"Network({self.name!r}: {kinds})"


#: One Network per Keras model, forgotten with the model.
_NETWORKS: weakref.WeakKeyDictionary[keras.Model, Network] = weakref.WeakKeyDictionary()


def network_for(model: keras.Model) -> Network:
    """The :class:`Network` widget of ``model``: the same widget each time for the same model.

    Its weights are refreshed from the model on every call, so explorers made after more
    training show the new weights (and so do the ones made before, at their next redraw).
    """
    layers = describe_layers(model)
    network = _NETWORKS.get(model)
    if network is None:
        network = Network(
            name=model.name, input_shape=_shape(model.inputs[0]), layers=layers
        )
        _NETWORKS[model] = network
    else:
        network.layers = layers
    return network
