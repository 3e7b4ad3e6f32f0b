"""The `pytest --nbval` set-up itself: it must catch a notebook whose stored output is wrong.

These tests run pytest on small notebooks written to a temporary folder, with this repository's
pytest configuration, so a change that loosened the comparison (``--nbval-lax``, a sanitizer
that matches too much) fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _notebook(source: str, stored_text: str, *, data: dict | None = None) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    if data is None:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_text)]
    else:
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    notebook.cells = [cell]
    return notebook


def _run_nbval(tmp_path: Path, notebook: nbformat.NotebookNode) -> subprocess.CompletedProcess:
    path = tmp_path / "check.ipynb"
    nbformat.write(notebook, path)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
        + ["--nbval", "-q", "-n", "0", str(path)],  # one cell needs no second worker
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_matching_output_passes(tmp_path):
    result = _run_nbval(tmp_path, _notebook("print(6 * 7)", "42\n"))
    assert result.returncode == 0, result.stdout


def test_edited_output_fails(tmp_path):
    result = _run_nbval(tmp_path, _notebook("print(6 * 7)", "43\n"))
    assert result.returncode == 1
    assert "1 failed" in result.stdout


@pytest.mark.parametrize(
    ("template", "matches"),
    [
        ('<div id="_anim_img{}"><img src="data:image/png;base64,{}"></div>', True),
        ('<p>accuracy {}: {}</p>', False),
    ],
)
def test_only_animation_ids_and_frames_are_sanitised(tmp_path, template, matches):
    stored = template.format("0" * 32, "AAAA")
    fresh = template.format("f" * 32, "QUJD")
    source = f"from IPython.display import HTML\nHTML({fresh!r})"
    data = {"text/html": stored, "text/plain": "<IPython.core.display.HTML object>"}
    result = _run_nbval(tmp_path, _notebook(source, "", data=data))
    assert (result.returncode == 0) is matches, result.stdout
