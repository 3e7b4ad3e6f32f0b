"""Build the book in every language into one site, and keep the translation catalogues current.

    python -m tools.editions build [--strict] [--output DIR]
        English at DIR (default _build/html), each translation at DIR/<language>/ (ko/).
        --strict turns warnings into errors (-n -W --keep-going), as CI does.
    python -m tools.editions update
        Extract the English messages and merge them into locales/<language>/: new messages
        appear untranslated and changed ones fuzzy, for a translator to finish.

Jupyter Book 1 has no language option, so each translated edition is built from a generated
configuration: ``_config.yml`` plus ``locales/<language>/config.yml`` (the title, Sphinx's
``language`` and anything else that differs). Every edition is built in its own folder under
``_build/editions/`` (one folder cannot hold two languages' environments) and copied into place.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
WORK = ROOT / "_build" / "editions"
SOURCE_LANGUAGE = "en"
STRICT = ["-n", "-W", "--keep-going"]


def translations() -> list[str]:
    """The languages with catalogues under locales/, sorted."""
    return sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged into it, nested dictionaries key by key."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def edition_config(language: str, editions: list[str]) -> dict[str, Any]:
    """The configuration of one edition: ``_config.yml``, its overrides, and the edition list."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))
    if language != SOURCE_LANGUAGE:
        override = yaml.safe_load((LOCALES / language / "config.yml").read_text("utf-8"))
        config = merged(config, override)
    # The generated file lives in the edition's build folder, and jupyter-book resolves local
    # extensions against the config file's folder.
    extensions = config["sphinx"].get("local_extensions", {})
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in extensions.items()}
    return merged(config, {"sphinx": {"config": {"editions": editions}}})


def build_edition(language: str, editions: list[str], strict: bool, work: Path) -> Path:
    """Build one edition in its own folder under ``work``; return its HTML folder."""
    folder = work / language
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "_config.yml"
    config.write_text(yaml.safe_dump(edition_config(language, editions), allow_unicode=True), "utf-8")
    # --all: a page whose source did not change would keep what older extensions wrote.
    command = ["jupyter-book", "build", str(ROOT), "--all", "--config", str(config),
               "--path-output", str(folder)]
    subprocess.run(command + (STRICT if strict else []), check=True)
    return folder / "_build" / "html"


def build(output: Path, strict: bool, work: Path = WORK) -> None:
    """Build every edition and put them together at ``output``."""
    editions = [SOURCE_LANGUAGE, *translations()]
    built = {language: build_edition(language, editions, strict, work) for language in editions}
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(built[SOURCE_LANGUAGE], output)
    for language in editions[1:]:
        shutil.copytree(built[language], output / language)
    print(f"Built {', '.join(editions)} into {output}: open {output / 'index.html'}")


def update() -> None:
    """Extract the messages and merge them into every language's catalogues."""
    folder = WORK / "gettext"
    # From scratch: a cached environment keeps what extensions extracted last time.
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--builder", "custom", "--custom-builder", "gettext",
         "--path-output", str(folder)],
        check=True,
    )
    templates = folder / "_build" / "gettext"
    for language in translations():
        subprocess.run(
            ["sphinx-intl", "update", "--pot-dir", str(templates), "--locale-dir", str(LOCALES),
             "--language", language],
            check=True,
        )
    print("Catalogues updated; `python -m tools.catalogues` lists what is left to translate.")


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.editions", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build every edition into one site")
    build_command.add_argument("--strict", action="store_true", help="warnings are errors")
    build_command.add_argument("--output", type=Path, default=ROOT / "_build" / "html")
    commands.add_parser("update", help="merge the English messages into the catalogues")
    options = parser.parse_args(arguments)
    if options.command == "build":
        build(options.output.resolve(), options.strict)
    else:
        update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
