"""The course's models: the figures the chapters quote, derived independently here."""

from __future__ import annotations

import pytest

from convbook import models


def _conv_params(k, cin, cout):
    return (k * k * cin + 1) * cout


def test_the_course_convnet_has_104202_parameters():
    model = models.build_convnet()
    assert model.count_params() == 104_202
    expected = {
        "conv1": _conv_params(3, 1, 32),
        "conv2": _conv_params(3, 32, 64),
        "conv3": _conv_params(3, 64, 128),
        "classifier": (3 * 3 * 128 + 1) * 10,
    }
    assert {n: model.get_layer(n).count_params() for n in expected} == expected
    assert [tuple(layer.output.shape[1:]) for layer in model.layers[1:]] == [
        (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128), (1152,), (10,),
    ]


def test_without_pooling_the_model_has_712202_parameters():
    model = models.build_convnet("none")
    assert model.count_params() == 712_202
    assert model.get_layer("flatten").output.shape[1] == 22 * 22 * 128 == 61_952
    assert model.get_layer("classifier").count_params() == 619_530


@pytest.mark.parametrize(("downsampling", "last_map"), [("average", 3), ("strided", 5)])
def test_other_downsampling_variants_end_on_small_maps(downsampling, last_map):
    model = models.build_convnet(downsampling)
    # strided: 26 -> floor((26 - 3) / 2) + 1 = 12 -> floor((12 - 3) / 2) + 1 = 5
    assert model.get_layer("conv3").output.shape[1] == last_map
    assert model.output.shape[1] == 10


def test_dense_baseline():
    assert models.build_dense_network().count_params() == (784 + 1) * 512 + (512 + 1) * 10


def test_unknown_downsampling_is_refused():
    with pytest.raises(ValueError, match="downsampling must be"):
        models.build_convnet("min")


def test_multiply_adds_from_shapes():
    counts = models.multiply_adds(models.build_convnet())
    assert counts == {
        "conv1": 26 * 26 * 32 * 9,
        "conv2": 11 * 11 * 64 * 9 * 32,
        "conv3": 3 * 3 * 128 * 9 * 64,
        "classifier": 1152 * 10,
    }
    without = models.multiply_adds(models.build_convnet("none"))
    assert without["conv3"] == 22 * 22 * 128 * 9 * 64


def test_receptive_fields():
    with_pooling = models.receptive_fields(models.build_convnet())
    assert [(v.name, v.size, v.jump, v.output_size) for v in with_pooling] == [
        ("conv1", 3, 1, 26), ("pool1", 4, 2, 13), ("conv2", 8, 2, 11),
        ("pool2", 10, 4, 5), ("conv3", 18, 4, 3),
    ]
    assert models.receptive_fields(models.build_convnet("none"))[-1].size == 7
    assert models.receptive_fields(models.build_convnet("strided"))[-1].size == 3 + 2 + 2 * 2


# -- the epoch timer -----------------------------------------------------------------------------
class _FakeClock:
    def __init__(self, ticks):
        self.ticks = iter(ticks)

    def __call__(self):
        return next(self.ticks)


def test_epoch_timer_records_each_epoch_with_the_given_clock():
    timer = models.EpochTimer(clock=_FakeClock([10.0, 13.0, 13.5, 15.5, 20.0, 21.0]))
    timer.on_train_begin()
    for epoch in range(3):
        timer.on_epoch_begin(epoch)
        timer.on_epoch_end(epoch)
    assert timer.seconds == [3.0, 2.0, 1.0]
    assert timer.total == 6.0 and timer.median == 2.0


def test_epoch_timer_starts_afresh_and_refuses_empty_summaries():
    timer = models.EpochTimer(clock=_FakeClock([0.0, 1.0]))
    timer.on_epoch_begin(0)
    timer.on_epoch_end(0)
    timer.on_train_begin()
    assert timer.seconds == []
    with pytest.raises(ValueError, match="no epoch has been timed"):
        _ = timer.median
    with pytest.raises(RuntimeError, match="never seen to begin"):
        timer.on_epoch_end(0)


# -- variants -----------------------------------------------------------------------------------
def test_same_padding_variant_keeps_the_maps_larger():
    variant = models.convnet_variant(models.build_convnet(), padding="same")
    assert [tuple(variant.get_layer(n).output.shape[1:3]) for n in
            ("conv1", "pool1", "conv2", "pool2", "conv3")] == [
        (28, 28), (14, 14), (14, 14), (7, 7), (7, 7)]
    assert variant.count_params() == 320 + 18_496 + 73_856 + (7 * 7 * 128 + 1) * 10


def test_variant_refuses_unknown_and_impossible_settings():
    with pytest.raises(ValueError, match="no setting"):
        models.convnet_variant(models.build_convnet(), colour="red")
    with pytest.raises(ValueError, match="do not fit the model"):
        # conv3 would meet a 4x4 input
        models.convnet_variant(models.build_convnet(), kernel_size=5)
    with pytest.raises(ValueError, match="at least one"):
        models.convnet_variant(models.build_convnet())
