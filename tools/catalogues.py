"""Read the translation catalogues and check that each translation keeps the source's markup.

A translated message may reword everything a reader reads, but the parts a machine reads must
survive unchanged: maths, inline code, link addresses, citations and cross-reference targets. A
translation that drops one would silently lose a formula or a link, or fail the strict build far
from the cause; :func:`markup_problems` names the message and the part instead.

Run ``python -m tools.catalogues [PO_FILE ...]`` to list every message that is untranslated,
fuzzy or loses markup (all catalogues when no file is given); it exits with 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"

# {role}`text <target>` or {role}`target`; the role's name and target must stay, the text may not.
_ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`")
_CODE = re.compile(r"(?<![}`])`(?P<body>[^`]+)`")
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)(?P<body>[^$]+?)\$")
_LINK = re.compile(r"\]\((?P<url>[^)\s]+)\)")


@dataclass(frozen=True)
class Message:
    """One translatable message of a catalogue."""

    source: str
    translation: str
    fuzzy: bool
    locations: tuple[tuple[str, int], ...]


def catalogue_paths(language: str = "ko") -> list[Path]:
    """Every ``.po`` file of one language, sorted: the book's, then the theme's."""
    book = sorted((LOCALES / language / "LC_MESSAGES").rglob("*.po"))
    return book + sorted((LOCALES / "theme" / language / "LC_MESSAGES").glob("*.po"))


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def messages(path: Path) -> list[Message]:
    """The messages of one catalogue, without its header and its obsolete entries."""
    return [
        Message(
            str(entry.id),
            str(entry.string or ""),
            entry.fuzzy,
            tuple((str(f), int(n or 0)) for f, n in entry.locations),
        )
        for entry in read_catalogue(path)
        if entry.id
    ]


def role_target(name: str, body: str) -> str:
    """What a role points at: the part in angle brackets, or the whole body when there is none."""
    match = re.search(r"<([^<>]+)>\s*$", body)
    if match and name != "math":
        return match.group(1).strip()
    return body.strip()


def markup(text: str) -> Counter[str]:
    """The machine-read parts of a message: roles by name and target, code, maths and links."""
    parts: Counter[str] = Counter()
    for match in _ROLE.finditer(text):
        parts[f"{{{match['name']}}} -> {role_target(match['name'], match['body'])}"] += 1
    without_roles = _ROLE.sub(" ", text)
    for match in _CODE.finditer(without_roles):
        parts[f"code `{match['body']}`"] += 1
    without_code = _CODE.sub(" ", without_roles)
    for match in _DISPLAY_MATH.finditer(without_code):
        parts[f"maths {match.group(0)}"] += 1
    for match in _INLINE_MATH.finditer(_DISPLAY_MATH.sub(" ", without_code)):
        parts[f"maths ${match['body']}$"] += 1
    for match in _LINK.finditer(text):
        parts[f"link {match['url']}"] += 1
    return parts


def markup_problems(message: Message) -> list[str]:
    """How a translation's markup differs from its source's; empty when it keeps all of it."""
    source, translation = markup(message.source), markup(message.translation)
    missing = [f"missing {part}" for part in sorted((source - translation).elements())]
    extra = [f"added {part}" for part in sorted((translation - source).elements())]
    return missing + extra


def problems(path: Path) -> list[str]:
    """Every untranslated, fuzzy or markup-losing message of one catalogue, one line each."""
    found = []
    for message in messages(path):
        where = f"{path.relative_to(ROOT)}:{message.locations[0][1] if message.locations else 0}"
        head = message.source[:60].replace("\n", " ")
        if not message.translation:
            found.append(f"{where}: untranslated: {head!r}")
        elif message.fuzzy:
            found.append(f"{where}: fuzzy: {head!r}")
        else:
            found.extend(f"{where}: {p}: {head!r}" for p in markup_problems(message))
    return found


def main(arguments: list[str]) -> int:
    paths = [Path(a).resolve() for a in arguments] or catalogue_paths()
    found = [line for path in paths for line in problems(path)]
    for line in found:
        print(line)
    total = sum(len(messages(p)) for p in paths)
    print(f"{total - len(found)} of {total} messages translated and checked; {len(found)} problems.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
