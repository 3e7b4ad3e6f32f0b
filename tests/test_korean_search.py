"""The Korean edition's search stemmer: the Python one that builds the index and the JavaScript
one that reads the reader's query must give every word the same stem."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from js_support import node

from tools.catalogues import catalogue_paths, messages

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from korean_search import PARTICLES, SearchKorean, stem, strip_particles  # noqa: E402


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("패딩을", "패딩"),
        ("패딩", "패딩"),
        ("커널의", "커널"),
        ("정확도는", "정확"),  # 는, then 도: the same stem as 정확도
        ("정확도", "정확"),
        ("스트라이드로", "스트라이드"),
        ("합성곱에서는", "합성곱"),
        ("층의", "층"),  # one syllable is always left
        ("의", "의"),
        ("Conv2D의", "conv2d"),
        ("strides", "stride"),
        ("padding", "pad"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_a_word_and_the_word_with_particles_meet():
    for noun in ("패딩", "커널", "필터", "응답", "특성", "윈도우", "최대", "합성곱", "결과"):
        for particle in PARTICLES:
            assert stem(noun + particle) == stem(noun), (noun, particle)


def test_particles_are_tried_longest_first():
    assert list(PARTICLES) == sorted(PARTICLES, key=lambda p: (-len(p), p))
    assert strip_particles("모델에서는") == "모델"


def _sampled_words() -> list[str]:
    """Every word of the Korean catalogues, plus made-up nouns with chains of particles."""
    words = {
        word
        for path in catalogue_paths()
        for message in messages(path)
        for word in re.findall(r"\w+", message.translation)
    }
    rng = random.Random(20261130)
    syllables = [chr(code) for code in range(0xAC00, 0xD7A4, 97)]
    for _ in range(2000):
        noun = "".join(rng.choices(syllables, k=rng.randint(1, 4)))
        chain = "".join(rng.choices(PARTICLES, k=rng.randint(0, 2)))
        words.add(rng.choice(["", "Conv", "x"]) + noun + chain)
    return sorted(words)


def test_javascript_stems_every_word_as_python_does(tmp_path):
    words = _sampled_words()
    assert len(words) > 5000
    script = tmp_path / "stem.js"
    script.write_text(
        SearchKorean.js_stemmer_code
        + "\nconst stemmer = new Stemmer();\n"
        + "let input = ''; process.stdin.on('data', c => input += c);\n"
        + "process.stdin.on('end', () => process.stdout.write(JSON.stringify("
        + "JSON.parse(input).map(w => stemmer.stemWord(w)))));\n",
        "utf-8",
    )
    completed = subprocess.run(
        [node(), str(script)], input=json.dumps(words), capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    in_browser = json.loads(completed.stdout)
    differ = [(w, stem(w), js) for w, js in zip(words, in_browser) if stem(w) != js]
    assert not differ, f"{len(differ)} of {len(words)} words differ, e.g. {differ[:10]}"
