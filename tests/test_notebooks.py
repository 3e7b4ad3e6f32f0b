"""Notebook hygiene: what `pytest --nbval` and the HTML book rely on, checked on the stored files.

nbval compares each cell's stored output with a fresh run. That comparison is only meaningful if
the stored notebook is itself one clean top-to-bottom run, and the book only shows the widgets if
their state was saved, so both are checked here, before any kernel starts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IGNORE_MARKERS = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}
#: At most this share of a notebook's code cells may escape nbval's comparison.
MAX_UNCOMPARED_SHARE = 0.2
#: Paths of the machine that executed the notebook: home folders, virtual environments, temp dirs.
LOCAL_PATH = re.compile(r"(/home/|/root/|/Users/|/tmp/|/work/|site-packages|[A-Z]:\\\\)")


def _toc_files(entries) -> list[str]:
    files = []
    for entry in entries:
        if "file" in entry:
            files.append(entry["file"])
        for key in ("chapters", "sections", "parts"):
            files.extend(_toc_files(entry.get(key, [])))
    return files


def _toc_entries() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *_toc_files(toc.get("parts", []) + toc.get("chapters", []))]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ holds no notebooks"


def test_every_notebook_is_in_the_table_of_contents():
    listed = {str(Path(entry).with_suffix("")) for entry in _toc_entries()}
    missing = [str(p.relative_to(ROOT)) for p in NOTEBOOKS if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not missing, f"add these notebooks to _toc.yml: {missing}"


def test_every_table_of_contents_entry_exists():
    missing = [
        entry
        for entry in _toc_entries()
        if not any((ROOT / f"{Path(entry).with_suffix('')}{ext}").is_file() for ext in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_stored_as_one_clean_run(path):
    notebook = _load(path)
    counts = [cell.get("execution_count") for cell in _code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts are {counts}: re-execute with `python -m convbook.execute {path.name}`"
    )
    for number, cell in enumerate(_code_cells(notebook), start=1):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"cell [{number}] stored an error"
            assert output.get("name") != "stderr", (
                f"cell [{number}] wrote to stderr: {''.join(output['text'])[:200]!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_uses_the_python3_kernel(path):
    assert _load(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_local_paths(path):
    text = path.read_text(encoding="utf-8")
    found = sorted(set(LOCAL_PATH.findall(text)))
    assert not found, f"the notebook shows paths of the machine that ran it: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_widget_state_is_saved_where_widgets_are_shown(path):
    notebook = _load(path)
    shown = {
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in _code_cells(notebook)
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    }
    if not shown:
        return
    state = notebook["metadata"].get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}
    ).get("state", {})
    missing = shown - state.keys()
    assert not missing, "widgets are shown but their state was not saved: re-execute the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_few_cells_escape_the_output_comparison(path):
    cells = _code_cells(_load(path))
    uncompared = [
        cell
        for cell in cells
        if any(marker in _source(cell) for marker in IGNORE_MARKERS)
        or IGNORE_TAGS & set(cell["metadata"].get("tags", []))
    ]
    assert len(uncompared) <= MAX_UNCOMPARED_SHARE * len(cells), (
        f"{len(uncompared)} of {len(cells)} code cells are not compared by nbval; move the numbers "
        "that matter into asserts or deterministic prints"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_figure_has_alt_text(path):
    for number, cell in enumerate(_code_cells(_load(path)), start=1):
        draws = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        if draws:
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) >= 20, (
                f"cell [{number}] draws a figure: describe it in the cell metadata "
                '{"mystnb": {"image": {"alt": "..."}}}'
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_opens_with_a_title_and_learning_goals(path):
    first = _load(path)["cells"][0]
    assert first["cell_type"] == "markdown" and _source(first).startswith("# ")
    assert "In this chapter" in _source(first), "state the learning goals in the first cell"


#: Sentences of the time when the explorers needed a kernel; they compute in the browser now.
FROZEN_EXPLORER = re.compile(
    r"needs? a running (python )?kernel|without a running kernel|state it was saved in|"
    r"run the notebook to move|cannot react|shows? a frozen|as a fixed picture",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "path", [*NOTEBOOKS, *sorted(BOOK.glob("*.md"))], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_page_says_an_explorer_is_frozen(path):
    if path.suffix == ".ipynb":
        texts = [_source(c) for c in _load(path)["cells"] if c["cell_type"] == "markdown"]
    else:
        texts = [path.read_text(encoding="utf-8")]
    found = [m.group(0) for text in texts for m in FROZEN_EXPLORER.finditer(text)]
    assert not found, f"the explorers are live in the book; rewrite: {found}"
