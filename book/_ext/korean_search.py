"""Search for the Korean edition: Korean words are indexed and looked up without their particles.

Sphinx has no Korean search language. Korean writes particles onto the word they mark (패딩을,
커널의, 정확도는), so with the English rules the index holds "패딩을" and a search for "패딩"
finds nothing. Here every word is stemmed the same way when the index is built (Python,
:func:`stem`) and when the reader searches (JavaScript, ``korean_stemmer.js``):

- a word with Hangul loses particles from its end, longest first and repeatedly (정확도는 ->
  정확도 -> 정확), as long as one syllable is left;
- what is left without Hangul (Conv2D의 -> conv2d, strides) is stemmed as English, words of
  one or two letters excepted, as Sphinx's JavaScript stemmer does.

Both sides strip the same suffixes, so a word and the same word with any particles meet at one
stem; an ordinary word that happens to end like a particle (결과 -> 결) is cut on both sides
alike and still found. The particle list has one source, :data:`PARTICLES`, which is written into
the page's JavaScript; tests/test_korean_search.py checks the two stemmers on many words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.search import SearchLanguage
from sphinx.search.en import SearchEnglish, english_stopwords, js_porter_stemmer

HERE = Path(__file__).resolve().parent

#: Case particles and their common combinations, as they end a written word.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        {
            "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "만",
            "에서", "에게", "으로", "부터", "까지", "처럼", "보다", "마다", "만큼", "조차",
            "에는", "에도", "와의", "과의", "로서", "로써", "이나", "이며", "이고", "이다",
            "에서는", "에서도", "에서의", "으로는", "으로도", "으로서", "으로써", "으로의",
            "까지는", "부터는", "보다는", "에게는", "입니다",
        },
        key=lambda particle: (-len(particle), particle),
    )
)

_HANGUL = re.compile("[\uac00-\ud7a3]")
_ENGLISH = SearchEnglish({})


def strip_particles(word: str) -> str:
    """``word`` without the particles at its end, leaving at least one syllable."""
    stripped = True
    while stripped:
        stripped = False
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) > len(particle):
                word = word[: -len(particle)]
                stripped = True
                break
    return word


def stem(word: str) -> str:
    """The index form of one word (lower case): particles stripped, English stemmed."""
    word = word.lower()
    if _HANGUL.search(word):
        word = strip_particles(word)
    if _HANGUL.search(word) or len(word) < 3:
        # Sphinx's JavaScript Porter stemmer leaves words under three letters alone; its Python
        # one does not ("s" -> ""), so short words are left alone here to match.
        return word
    return _ENGLISH.stem(word)


class SearchKorean(SearchLanguage):
    lang = "ko"
    language_name = "Korean"
    stopwords = english_stopwords
    js_stemmer_code = (
        js_porter_stemmer.replace("var Stemmer = function", "var EnglishStemmer = function")
        + f"\nvar KOREAN_PARTICLES = {json.dumps(PARTICLES, ensure_ascii=False)};\n"
        + (HERE / "korean_stemmer.js").read_text("utf-8")
    )

    def stem(self, word: str) -> str:
        return stem(word)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchKorean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
