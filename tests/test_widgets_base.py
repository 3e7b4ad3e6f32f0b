"""The explorer base class: error messages instead of tracebacks, a stable text form."""

from __future__ import annotations

import ipywidgets as widgets

from convbook.widgets import Explorer


class Doubler(Explorer):
    """A tiny explorer: shows twice the slider's value, refuses negative numbers."""

    def __init__(self) -> None:
        self.number = widgets.IntSlider(value=2, min=-5, max=5)
        self.picture = widgets.HTML()
        super().__init__([self.number], self.picture)
        self.refresh()

    def settings(self):
        return {"number": self.number.value}

    def update(self):
        if self.number.value < 0:
            raise ValueError("the number cannot be negative <here>")
        self.picture.value = str(2 * self.number.value)


def test_a_change_redraws():
    explorer = Doubler()
    explorer.number.value = 4
    assert explorer.picture.value == "8" and explorer.error == ""


def test_impossible_settings_show_a_message_and_keep_the_last_picture():
    explorer = Doubler()
    explorer.number.value = -1
    assert explorer.error == "the number cannot be negative <here>"
    assert "&lt;here&gt;" in explorer.message.value  # escaped, not parsed as HTML
    assert explorer.picture.value == "4"
    explorer.number.value = 1
    assert explorer.error == "" and explorer.picture.value == "2"


def test_text_form_is_stable_and_the_widgets_display():
    explorer = Doubler()
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == "Doubler(number=2)"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.view.model_id
