"""Call functions of the explorers' JavaScript modules from Python tests, through Node.

The explorers' ``.js`` files are ES modules; Node imports them as they are (``package.json`` says
``"type": "module"``). :func:`call_js` runs one function on many argument lists in a single Node
process and returns the results, so a test can compare the JavaScript with the Python reference on
many sampled inputs. A ``Problem`` thrown by the JavaScript (a message for impossible input) comes
back as ``{"problem": message}``; non-finite numbers travel as the strings ``"nan"``, ``"inf"``,
``"-inf"``. The function may be an entry of an exported object, named by its path
(``"probeText.en.moved"``). :func:`run_js` runs a script of its own.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

EXPLORERS = Path(__file__).resolve().parents[1] / "src" / "convbook" / "explorers"

_RUNNER = """
const [file, name] = process.argv.slice(1);
const module = await import(file);
const called = name.split(".").reduce((holder, key) => holder[key], module);
const revive = (key, value) =>
  value === "nan" ? NaN : value === "inf" ? Infinity : value === "-inf" ? -Infinity : value;
const plain = (key, value) => {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  }
  if (ArrayBuffer.isView(value)) return Array.from(value);
  return value;
};
let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const args of JSON.parse(input, revive)) {
  try {
    results.push(await called(...args));
  } catch (error) {
    if (error.constructor.name !== "Problem") throw error;
    results.push({ problem: error.message });
  }
}
process.stdout.write(JSON.stringify(results, plain));
"""


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


def node() -> str:
    """Node's path; outside CI a missing Node skips the test with a message."""
    path = shutil.which("node")
    if path is None:
        message = "the JavaScript tests need Node.js (it comes with npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def call_js(module: str, function: str, calls: list[list[Any]]) -> list[Any]:
    """``function(*args)`` of ``src/convbook/explorers/<module>`` for every ``args`` in ``calls``."""
    completed = subprocess.run(
        [node(), "--input-type=module", "-e", _RUNNER, (EXPLORERS / module).as_uri(), function],
        input=json.dumps(_encode(calls)), capture_output=True, text=True, timeout=120,
    )
    if completed.returncode != 0:
        raise AssertionError(f"{module}:{function} failed in Node:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout)


def run_js(script: str, data: Any = None) -> Any:
    """Run the ES module ``script`` in Node and return the JSON it writes to stdout.

    The script finds ``data`` in the constant ``DATA`` and imports the explorers' modules with
    ``await import(new URL("common.js", EXPLORERS))``.
    """
    prelude = (
        f"const EXPLORERS = {json.dumps(EXPLORERS.as_uri() + '/')};\n"
        'let input = "";\n'
        "for await (const chunk of process.stdin) input += chunk;\n"
        "const DATA = JSON.parse(input);\n"
    )
    completed = subprocess.run(
        [node(), "--input-type=module", "-e", prelude + script],
        input=json.dumps(_encode(data)), capture_output=True, text=True, timeout=120,
    )
    if completed.returncode != 0:
        raise AssertionError(f"the script failed in Node:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout)
