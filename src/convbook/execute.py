"""Re-execute notebooks top to bottom in a fresh kernel and store their outputs.

Usage, from the repository root::

    python -m convbook.execute book/01-convolution.ipynb [more notebooks ...]

This is how every notebook in ``book/`` is saved: one fresh kernel per notebook, started in the
notebook's folder, cells run in order (execution counts 1..n), and the state of every ipywidget
stored in the notebook's metadata so the HTML book can show the widgets without a kernel. Cell
timing metadata is not recorded, so a re-run changes the file only where an output changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["execute_notebook", "fresh_client"]

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _problems(notebook: nbformat.NotebookNode) -> list[str]:
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"cell {index} wrote to stderr: {output['text'][:200]!r}")
    return found


def fresh_client(
    notebook: nbformat.NotebookNode, path: Path, timeout: int = 1800
) -> NotebookClient:
    """A client that runs ``notebook`` (read from ``path``) as a reader would: a new ``python3``
    kernel started in the notebook's folder, widget state stored, no timing metadata."""
    return NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=True,
        record_timing=False,
    )


def execute_notebook(path: Path, timeout: int = 1800) -> list[str]:
    """Execute ``path`` in place and return the problems to fix (stderr output)."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    for stale in ("widgets", "jupytext"):
        notebook.metadata.pop(stale, None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    fresh_client(notebook, path, timeout).execute()
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return _problems(notebook)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    # The kernel must be this environment's Python, whatever `python` another PATH entry names.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    failed = False
    for path in args.notebooks:
        started = time.perf_counter()
        problems = execute_notebook(path, args.timeout)
        print(f"{path}: executed in {time.perf_counter() - started:.1f} s")
        for problem in problems:
            failed = True
            print(f"  {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
