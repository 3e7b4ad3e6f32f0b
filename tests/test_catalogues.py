"""The Korean catalogues: complete, current with the English source, and faithful to its markup.

A change to English prose changes a message; the catalogue check below then fails until
``python -m tools.editions update`` has merged it and the Korean has been written, so every change
of the English carries its Korean in the same change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tools.catalogues import Message, catalogue_paths, markup, markup_problems, messages, problems

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = catalogue_paths("ko")


def _message(source: str, translation: str) -> Message:
    return Message(source, translation, False, ())


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_every_message_is_translated_and_keeps_its_markup(path):
    assert messages(path), f"{path} has no messages"
    found = problems(path)
    assert not found, "\n".join(found)


def test_there_are_catalogues_for_every_page():
    folder = ROOT / "locales" / "ko" / "LC_MESSAGES"
    names = {path.relative_to(folder).as_posix() for path in CATALOGUES if folder in path.parents}
    pages = {f"book/{page.stem}.po" for page in (ROOT / "book").glob("*.ipynb")}
    pages |= {f"book/{page.stem}.po" for page in (ROOT / "book").glob("*.md")}
    assert pages <= names, f"pages without a Korean catalogue: {sorted(pages - names)}"


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """The messages of today's English source, extracted as ``tools.editions update`` does."""
    output = tmp_path_factory.mktemp("gettext")
    build = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--builder",
         "custom", "--custom-builder", "gettext", "--path-output", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return output / "_build" / "gettext"


def test_catalogues_hold_exactly_the_messages_of_the_english_source(templates):
    stale = []
    for template in sorted(templates.rglob("*.pot")):
        relative = template.relative_to(templates).with_suffix(".po")
        catalogue = ROOT / "locales" / "ko" / "LC_MESSAGES" / relative
        with template.open("rb") as handle:
            wanted = {str(m.id) for m in read_po(handle) if m.id}
        have = {m.source for m in messages(catalogue)} if catalogue.is_file() else set()
        if wanted != have:
            stale.append(f"{relative}: {len(wanted - have)} new, {len(have - wanted)} gone")
    assert not stale, (
        "the catalogues do not match the English source; run `python -m tools.editions update` "
        "and translate what it marks:\n" + "\n".join(stale)
    )


def test_markup_counts_roles_by_target_code_maths_and_links():
    parts = markup(
        "See {term}`depth <Depth, channels (깊이, 채널)>` and {doc}`03-padding`, "
        "`Conv2D(32, 3)`, $k_h$, $$x$$ and [Keras](https://keras.io) {cite:p}`chollet2021`."
    )
    assert parts == {
        "{term} -> Depth, channels (깊이, 채널)": 1,
        "{doc} -> 03-padding": 1,
        "code `Conv2D(32, 3)`": 1,
        "maths $k_h$": 1,
        "maths $$x$$": 1,
        "link https://keras.io": 1,
        "{cite:p} -> chollet2021": 1,
    }


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        ("{term}`깊이 <Depth>` 와 `x` 그리고 $k$.", []),
        ("{term}`깊이` 와 `x` 그리고 $k$.", ["missing {term} -> Depth", "added {term} -> 깊이"]),
        ("{term}`깊이 <Depth>` 와 `y` 그리고 $k$.", ["missing code `x`", "added code `y`"]),
        ("{term}`깊이 <Depth>` 와 `x` 그리고 k.", ["missing maths $k$"]),
        ("{term}`깊이 <Depth>` 와 `x` 그리고 $k$ $n$.", ["added maths $n$"]),
    ],
)
def test_markup_problems_name_what_a_translation_lost(translation, expected):
    found = markup_problems(_message("{term}`depth <Depth>` and `x` and $k$.", translation))
    assert found == expected
