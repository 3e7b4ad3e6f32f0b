"""Benchmarks of the course: what a reader waits for, and how much memory it takes.

Usage, from the repository root, with MNIST available (see "Working offline" in README.md)::

    python benchmarks/run.py [--repeat N] [--skip-suite] [--skip-training] \
        [--out benchmarks/results]

On the current machine it measures, and prints as Markdown tables with each figure's target:

- every notebook in ``book/``: the wall time of a fresh top-to-bottom execution (nbclient, one
  new kernel per run, started in the notebook's folder; the stored notebook is never written)
  and the kernel's peak resident memory (``VmHWM`` after the last cell), over ``--repeat`` runs;
- the whole ``pytest --nbval`` run (once) and ``jupyter-book build`` (``--repeat`` fresh builds;
  the first one warms the caches and is left out of the median when there are more);
- every interactive explorer, built as its notebook builds it: the latency of its callback over
  200 driven value changes of its controls, after 20 changes of warm-up;
- the MNIST convnet: seconds per training epoch on the 60,000 training digits, examples per
  second, and the achieved FLOP/s next to the CPU's fp32 peak, with the assumptions;
- the built site: its size and its heaviest pages.

It writes the figures to ``OUT.json`` and ``OUT.md`` (by default ``benchmarks/results.*``) with
the date, the machine, the package versions and the command line. A missed target is a figure,
not a failure: the exit status is 0 whenever the benchmark itself ran.

The pure functions (percentiles, the CPU's peak, the site's weight, the Markdown tables) are
tested in ``tests/test_benchmarks.py``; TensorFlow and the course's package are imported only
by the sections that need them.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parents[1]

# -- targets the book holds itself to (README.md) -------------------------------------------------
NOTEBOOK_SECONDS = 180.0
NOTEBOOK_MEMORY_MIB = 2048.0  # Binder's 2 GB (Kubernetes' "2G": 2 GiB)
SUITE_SECONDS = 600.0
#: An explorer redraws within one frame of a 60 Hz screen.
FRAME_MS = 16.0
#: A chapter page with everything it loads beyond the scripts all pages share (its HTML, with
#: the explorers' saved state, and its images).
PAGE_MB = 2.0

# -- method -------------------------------------------------------------------------------------
WARMUP_CHANGES = 20
TIMED_CHANGES = 200
TRAINING_BATCH = 64
TRAINING_SEED = 5  # the MNIST chapter's seed
#: Training epochs after the warm-up epoch (which traces the model and is not counted).
TIMED_EPOCHS = 2

MIB = 2**20
MB = 10**6


def log(message: str) -> None:
    """Progress, on stderr: standard output carries only the report."""
    print(message, file=sys.stderr, flush=True)


def verdict(value: float, limit: float) -> str:
    """``PASS`` when ``value`` is under ``limit``, otherwise ``MISS``."""
    return "PASS" if value < limit else "MISS"


# -- statistics ---------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100) of ``values``, interpolating linearly between ranks.

    This is NumPy's default method: the sorted values sit at positions ``0 .. n - 1`` and the
    percentile at position ``(n - 1) * q / 100``.
    """
    if not values:
        raise ValueError("the percentile of no values is undefined")
    if not 0 <= q <= 100:
        raise ValueError(f"q must lie between 0 and 100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- the CPU and its peak -----------------------------------------------------------------------
@dataclass(frozen=True)
class CpuInfo:
    """What ``/proc/cpuinfo`` says about the processor (the first one listed).

    Attributes:
        model: the model name, with the family and model numbers when given.
        flags: the instruction-set flags.
        mhz: the highest current clock of any core, in MHz (0 when not given).
    """

    model: str
    flags: frozenset[str]
    mhz: float


def parse_cpuinfo(text: str) -> CpuInfo:
    """Read the model name, family, model number, flags and clock out of ``/proc/cpuinfo``."""
    fields: dict[str, str] = {}
    clocks = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "cpu MHz":
            clocks.append(float(value))
        fields.setdefault(key, value)
    model = fields.get("model name", platform.processor() or "unknown CPU")
    if "cpu family" in fields and "model" in fields:
        model += f" (family {fields['cpu family']}, model {fields['model']})"
    return CpuInfo(model, frozenset(fields.get("flags", "").split()), max(clocks, default=0.0))


def parse_lscpu_max_mhz(text: str) -> float | None:
    """The ``CPU max MHz`` line of ``lscpu``'s output, or ``None`` when it has none."""
    match = re.search(r"^CPU max MHz:\s*([\d.]+)", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def flops_per_cycle(flags: Iterable[str]) -> int:
    """fp32 FLOPs one core can do per cycle, judged from its instruction-set flags.

    Two fused multiply-add units a core, each a multiply and an add on every lane: AVX-512
    (``avx512f``) 2 x 2 x 16 = 64, AVX2 with FMA 2 x 2 x 8 = 32, AVX without FMA 16, SSE 8.
    """
    flags = set(flags)
    if "avx512f" in flags:
        return 64
    if {"avx2", "fma"} <= flags:
        return 32
    if "avx" in flags:
        return 16
    return 8


def peak_flops(cores: int, mhz: float, per_cycle: int) -> float:
    """The fp32 peak in FLOP/s: cores x clock x FLOPs per cycle and core."""
    return cores * mhz * 1e6 * per_cycle


def training_flops_per_example(multiply_adds: Mapping[str, int]) -> int:
    """FLOPs to train on one example: forward 2 per multiply-add, backward twice the forward."""
    return 3 * 2 * sum(multiply_adds.values())


@dataclass(frozen=True)
class Machine:
    """The machine the figures were measured on."""

    cpu_model: str
    logical_cores: int
    physical_cores: int
    memory_bytes: int
    flags_used: list[str]
    flops_per_cycle: int
    mhz: float
    mhz_source: str


def describe_machine() -> Machine:
    """Cores, CPU model, memory, and the clock and FLOPs per cycle the peak is computed from."""
    cpuinfo_path = Path("/proc/cpuinfo")
    cpu = parse_cpuinfo(cpuinfo_path.read_text() if cpuinfo_path.exists() else "")
    lscpu = shutil.which("lscpu")
    listing = ""
    if lscpu:
        listing = subprocess.run(
            [lscpu], capture_output=True, text=True, check=False,
            env={**os.environ, "LC_ALL": "C"},
        ).stdout
    max_mhz = parse_lscpu_max_mhz(listing)
    if max_mhz:
        mhz, source = max_mhz, "lscpu, CPU max MHz"
    else:
        mhz, source = cpu.mhz, "/proc/cpuinfo, cpu MHz"
    logical = os.cpu_count() or 1
    return Machine(
        cpu_model=cpu.model,
        logical_cores=logical,
        physical_cores=psutil.cpu_count(logical=False) or logical,
        memory_bytes=psutil.virtual_memory().total,
        flags_used=sorted(cpu.flags & {"avx512f", "avx2", "fma", "avx"}),
        flops_per_cycle=flops_per_cycle(cpu.flags),
        mhz=mhz,
        mhz_source=source,
    )


def package_version(*names: str) -> str:
    """The installed version of the first of ``names`` that is installed."""
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


# -- notebooks ----------------------------------------------------------------------------------
def parse_vm_hwm(status: str) -> int:
    """The peak resident memory (``VmHWM``) in a ``/proc/<pid>/status`` text, in bytes."""
    match = re.search(r"^VmHWM:\s*(\d+)\s*kB", status, re.MULTILINE)
    if not match:
        raise ValueError("the status has no VmHWM line")
    return int(match.group(1)) * 1024


def _peak_rss(pid: int) -> int:
    return parse_vm_hwm(Path(f"/proc/{pid}/status").read_text())


class _KernelWatch:
    """nbclient hooks that time each code cell and read the kernel's peak memory after it.

    The kernel's ``VmHWM`` only grows, so its last reading is its peak; a child process (none of
    the chapters starts one) is added with the highest reading it ever had.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.kernel_peak = 0
        self.children_peaks: dict[int, int] = {}
        self.cell_seconds: dict[int, float] = {}
        self.last_cell_end = 0.0
        self._cell_start = 0.0

    def cell_execute(self, cell: Any, cell_index: int) -> None:
        self._cell_start = time.perf_counter()

    def cell_executed(self, cell: Any, cell_index: int, execute_reply: Any) -> None:
        self.last_cell_end = time.perf_counter()
        self.cell_seconds[cell_index] = self.last_cell_end - self._cell_start
        pid = self.client.km.provisioner.pid
        self.kernel_peak = _peak_rss(pid)
        for child in psutil.Process(pid).children(recursive=True):
            try:
                peak = _peak_rss(child.pid)
            except (FileNotFoundError, ProcessLookupError):
                continue  # it ended between the listing and the reading
            self.children_peaks[child.pid] = max(peak, self.children_peaks.get(child.pid, 0))

    @property
    def peak(self) -> int:
        return self.kernel_peak + sum(self.children_peaks.values())


@dataclass(frozen=True)
class NotebookRun:
    """One fresh execution of a notebook.

    Attributes:
        seconds: from starting the kernel to the end of the last cell.
        peak_mib: the kernel's peak resident memory (children included), in MiB.
        slowest_cell: index of the slowest code cell, and its seconds.
        error: the error that stopped the run, or ``None``.
    """

    seconds: float
    peak_mib: float
    slowest_cell: tuple[int, float] | None
    error: str | None


def run_notebook(path: Path, timeout: int) -> NotebookRun:
    """Execute ``path`` top to bottom in a fresh kernel, in memory (the file is only read)."""
    import nbformat
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )

    from convbook.execute import fresh_client

    notebook = nbformat.read(path, as_version=4)
    client = fresh_client(notebook, path, timeout)
    watch = _KernelWatch(client)
    client.on_cell_execute = watch.cell_execute
    client.on_cell_executed = watch.cell_executed
    error = None
    started = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as problem:
        lines = [line for line in str(problem).splitlines() if line.strip()]
        error = f"{type(problem).__name__}: {lines[-1] if lines else ''}"[:300]
    ended = watch.last_cell_end or time.perf_counter()
    slowest = max(watch.cell_seconds.items(), key=lambda item: item[1], default=None)
    return NotebookRun(ended - started, watch.peak / MIB, slowest, error)


@dataclass(frozen=True)
class NotebookResult:
    """Every run of one notebook, their median time and the worst peak memory.

    ``time_verdict`` is ``FAIL`` when a run stopped at an error (its time is then incomplete).
    """

    notebook: str
    runs: list[NotebookRun]
    median_seconds: float
    peak_mib: float
    time_verdict: str
    memory_verdict: str


def benchmark_notebooks(paths: Sequence[Path], repeat: int, timeout: int) -> list[NotebookResult]:
    """Run every notebook ``repeat`` times, round-robin, so a change of load spreads over all."""
    runs: dict[Path, list[NotebookRun]] = {path: [] for path in paths}
    for round_number in range(1, repeat + 1):
        for path in paths:
            log(f"notebook {path.name}, run {round_number} of {repeat} ...")
            run = run_notebook(path, timeout)
            runs[path].append(run)
            log(f"  {run.seconds:.1f} s, peak {run.peak_mib:.0f} MiB"
                + (f", {run.error}" if run.error else ""))
    results = []
    for path, done in runs.items():
        seconds = statistics.median(run.seconds for run in done)
        peak = max(run.peak_mib for run in done)
        failed = any(run.error for run in done)
        results.append(NotebookResult(
            notebook=str(path.relative_to(ROOT)),
            runs=done,
            median_seconds=seconds,
            peak_mib=peak,
            time_verdict="FAIL" if failed else verdict(seconds, NOTEBOOK_SECONDS),
            memory_verdict=verdict(peak, NOTEBOOK_MEMORY_MIB),
        ))
    return results


# -- the test suite and the book build ----------------------------------------------------------
@dataclass(frozen=True)
class CommandResult:
    """Wall times of a command run from the repository root.

    Attributes:
        command: as typed in a shell.
        seconds: every run, in order.
        median_seconds: the median of the runs counted (``counted_from`` on).
        counted_from: index of the first run in the median (1 when run 0 was a warm-up).
        exit_codes: of every run.
        last_line: the last line the final run printed (pytest's summary, for example).
    """

    command: str
    seconds: list[float]
    median_seconds: float
    counted_from: int
    exit_codes: list[int]
    last_line: str


def _last_lines(output: str, count: int) -> list[str]:
    """The last ``count`` lines of a command's output with text, without colours or ``=`` rules."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return [line.strip("= ") for line in output.splitlines() if line.strip("= ")][-count:]


def _timed(command: Sequence[str]) -> tuple[float, int, str]:
    """Run ``command`` from the repository root: its wall time, exit code and last line.

    The last line is standard output's (pytest's summary); a failure logs the last lines of
    both outputs.
    """
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        log("\n".join(_last_lines(done.stdout, 20) + _last_lines(done.stderr, 20)))
    last = _last_lines(done.stdout, 1) or _last_lines(done.stderr, 1)
    return seconds, done.returncode, last[0] if last else ""


def benchmark_suite() -> CommandResult:
    """``pytest --nbval`` once: it runs every notebook itself, so one run says enough."""
    log("pytest --nbval (every unit test and notebook) ...")
    seconds, code, last = _timed([sys.executable, "-m", "pytest", "--nbval"])
    log(f"  {seconds:.0f} s: {last}")
    return CommandResult("pytest --nbval", [seconds], seconds, 0, [code], last)


@dataclass(frozen=True)
class PageWeight:
    """One HTML page of the built site: its own bytes and those of the images it shows."""

    page: str
    html_bytes: int
    image_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.html_bytes + self.image_bytes


_IMAGE_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#?]*_images/[^"'#?]+)""")


def directory_size(root: Path) -> tuple[int, int]:
    """Total bytes and number of the files under ``root``."""
    sizes = [path.stat().st_size for path in root.rglob("*") if path.is_file()]
    return sum(sizes), len(sizes)


def page_weights(site: Path) -> list[PageWeight]:
    """Every ``.html`` page under ``site`` with the images from an ``_images`` folder it
    references (its edition's: ``_images`` or ``ko/_images``).

    Each image counts once per page; scripts and style sheets in ``_static`` are shared by all
    pages (a browser loads them once) and are not counted.
    """
    weights = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        images = set()
        for reference in _IMAGE_REFERENCE.findall(text):
            image = (page.parent / reference).resolve()
            if image.parent.name == "_images" and image.is_file():
                images.add(image)
        weights.append(PageWeight(
            page=page.relative_to(site).as_posix(),
            html_bytes=page.stat().st_size,
            image_bytes=sum(image.stat().st_size for image in images),
        ))
    return weights


@dataclass(frozen=True)
class SiteResult:
    """The built site's size and its heaviest pages (HTML plus images)."""

    total_mb: float
    files: int
    heaviest: list[dict[str, Any]]


def measure_site(site: Path, top: int = 5) -> SiteResult:
    """Size of the HTML site in ``site`` and its ``top`` heaviest pages, with their verdicts."""
    total, files = directory_size(site)
    pages = sorted(page_weights(site), key=lambda page: page.total_bytes, reverse=True)[:top]
    heaviest = [
        {
            "page": page.page,
            "html_mb": page.html_bytes / MB,
            "images_mb": page.image_bytes / MB,
            "total_mb": page.total_bytes / MB,
            "verdict": verdict(page.total_bytes / MB, PAGE_MB),
        }
        for page in pages
    ]
    return SiteResult(total / MB, files, heaviest)


def benchmark_build(repeat: int) -> tuple[CommandResult, SiteResult]:
    """``jupyter-book build`` into fresh folders, ``repeat`` times; measure the last site."""
    jupyter_book = shutil.which("jupyter-book") or "jupyter-book"
    seconds, codes, last = [], [], ""
    with tempfile.TemporaryDirectory(prefix="convbook-build-") as scratch:
        for run in range(repeat):
            output = Path(scratch) / f"run{run}"
            log(f"jupyter-book build, run {run + 1} of {repeat} ...")
            took, code, last = _timed([jupyter_book, "build", ".", "--path-output", str(output)])
            seconds.append(took)
            codes.append(code)
            log(f"  {took:.1f} s")
        site = measure_site(Path(scratch) / f"run{repeat - 1}" / "_build" / "html")
    counted_from = 1 if repeat > 1 else 0
    build = CommandResult(
        "jupyter-book build . --path-output TMP", seconds,
        statistics.median(seconds[counted_from:]), counted_from, codes, last,
    )
    return build, site


# -- explorers -----------------------------------------------------------------------------------
#: One move of a reader in the page: a random enabled control of the explorer gets a new value
#: (a slider a step, a menu any option, a text box one of the texts given, a button a click),
#: firing the event the browser fires. Returns [setting, value] for the Python replay.
_MOVE = """([root, texts, seed]) => {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  const controls = [...root.querySelectorAll("[data-setting]")].filter(
    (control) => !control.disabled && control.offsetParent !== null);
  const control = controls[Math.floor(random() * controls.length)];
  const setting = control.dataset.setting;
  if (control.type === "range") {
    const options = [Number(control.value) - 1, Number(control.value) + 1].filter(
      (value) => value >= Number(control.min) && value <= Number(control.max));
    control.value = String(options[Math.floor(random() * options.length)]);
    control.dispatchEvent(new Event("input", { bubbles: true }));
  } else if (control.tagName === "SELECT") {
    control.value = control.options[Math.floor(random() * control.options.length)].value;
    control.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (control.tagName === "INPUT" && control.type === "text") {
    control.value = texts[Math.floor(random() * texts.length)] ?? control.value;
    control.dispatchEvent(new Event("change", { bubbles: true }));
  } else {
    control.click();
    return [setting, null, state];
  }
  return [setting, control.value, state];
}"""

#: Kernels typed into the convolution explorer's text box (good ones and mistakes).
TYPED_TEXTS = ["-1 0 1; -1 0 1; -1 0 1", "1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9",
               "0 -1 0; -1 5 -1; 0 -1 0", "1 0 -1; 2 0 -2; 1 0 -1", "1 2; 3", "1 x 1; 0 0 0; 1 1 1"]


@dataclass(frozen=True)
class ExplorerResult:
    """How long one explorer takes to answer a reader's change, in the page and in Python."""

    name: str
    notebook: str
    changes: int
    messages: int
    browser_median_ms: float
    browser_p95_ms: float
    browser_max_ms: float
    kernel_median_ms: float
    kernel_p95_ms: float
    verdict: str


def _python_value(explorer: Any, setting: str, value: str | None) -> Any:
    """A control's value as the explorer's trait of the same name holds it (text -> int)."""
    import traitlets

    trait = explorer.traits()[setting]
    if isinstance(trait, traitlets.Int):
        return int(value)
    if isinstance(trait, traitlets.Float):
        return float(value)
    return value


def _explorer_class(anywidget_id: str) -> Any:
    import importlib

    module, _, name = anywidget_id.rpartition(".")
    return getattr(importlib.import_module(module), name)


def drive_explorers(site: Path, notebook: Path, changes: int, warmup: int) -> list[ExplorerResult]:
    """Every explorer of one chapter page: ``warmup + changes`` random moves in Chromium, the
    redraw times the page records (``root.convbookTimings``), then the same moves replayed on
    the explorer rebuilt in Python from the notebook's saved state (setting the value and
    computing the message: what a change costs in a kernel)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import saved_states  # noqa: PLC0415 - test helpers, on demand

    states = saved_states(notebook)
    if not states:
        return []
    log(f"  {notebook.stem}: {len(states)} explorer(s) ...")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/book/{notebook.stem}.html"
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("http://127.0.0.1") else route.abort())
            page.goto(url, wait_until="networkidle")
            page.wait_for_function(
                f"document.querySelectorAll('.cb-explorer').length >= {len(states)}",
                timeout=30_000,
            )
            roots = page.locator(".cb-explorer")
            for index, state in enumerate(states):
                root = roots.nth(index).element_handle()
                seed = 1 + index
                moves = []
                for _ in range(warmup + changes):
                    setting, value, seed = page.evaluate(_MOVE, [root, TYPED_TEXTS, seed])
                    moves.append((setting, value))
                timings = root.evaluate("root => root.convbookTimings")[-changes:]
                explorer = _explorer_class(state["_anywidget_id"]).from_state(state)
                kernel, shown_messages = [], 0
                for number, (setting, value) in enumerate(moves):
                    started = time.perf_counter()
                    if value is not None:
                        setattr(explorer, setting, _python_value(explorer, setting, value))
                    message = explorer.check()
                    if number >= warmup:
                        kernel.append((time.perf_counter() - started) * 1000)
                        shown_messages += bool(message)
                p95 = percentile(timings, 95)
                results.append(ExplorerResult(
                    name=state["_anywidget_id"].rpartition(".")[2],
                    notebook=notebook.stem,
                    changes=len(timings),
                    messages=shown_messages,
                    browser_median_ms=percentile(timings, 50),
                    browser_p95_ms=p95,
                    browser_max_ms=max(timings),
                    kernel_median_ms=percentile(kernel, 50),
                    kernel_p95_ms=percentile(kernel, 95),
                    verdict=verdict(p95, FRAME_MS),
                ))
            browser.close()
    finally:
        server.shutdown()
    return results


def benchmark_explorers() -> list[ExplorerResult]:
    """The answer time of every explorer of the book, on a fresh build of the book."""
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="convbook-explorers-") as scratch:
        log("explorers: building the book ...")
        _timed([shutil.which("jupyter-book") or "jupyter-book", "build", ".",
                "--path-output", scratch])
        site = Path(scratch) / "_build" / "html"
        results = []
        for notebook in notebooks:
            for result in drive_explorers(site, notebook, TIMED_CHANGES, WARMUP_CHANGES):
                log(f"  {result.name} ({result.notebook}): browser p95 "
                    f"{result.browser_p95_ms:.2f} ms, kernel p95 {result.kernel_p95_ms:.2f} ms")
                results.append(result)
    return results


# -- training -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingResult:
    """Training the course's convnet, and how far it is from the CPU's peak."""

    examples: int
    batch_size: int
    warmup_epoch_seconds: float
    epoch_seconds: list[float]
    seconds_per_epoch: float
    examples_per_second: float
    multiply_adds: dict[str, int]
    flops_per_example: int
    achieved_flops: float
    peak_flops: float
    fraction_of_peak: float | None
    assumptions: list[str]


def benchmark_training(
    images: np.ndarray, labels: np.ndarray, machine: Machine, timed_epochs: int = TIMED_EPOCHS
) -> TrainingResult:
    """Train ``build_convnet()`` as the MNIST chapter does, one warm-up epoch then timed ones.

    Args:
        images: ``(n, 28, 28, 1)`` float32 inputs (the benchmark passes all 60,000).
        labels: their digits.
        machine: for the peak FLOP/s.
        timed_epochs: epochs after the warm-up; their median is the time per epoch.
    """
    import keras

    from convbook.models import EpochTimer, build_convnet, compile_for_mnist, multiply_adds
    from convbook.training import ShuffledBatches

    log(f"training the convnet: 1 warm-up and {timed_epochs} timed epochs on "
        f"{len(images):,} digits ...")
    keras.utils.set_random_seed(TRAINING_SEED)
    model = compile_for_mnist(build_convnet())
    timer = EpochTimer()
    model.fit(
        ShuffledBatches(images, labels, TRAINING_BATCH, seed=TRAINING_SEED),
        epochs=1 + timed_epochs, callbacks=[timer], verbose=0,
    )
    warmup, *timed = timer.seconds
    seconds = statistics.median(timed)
    throughput = len(images) / seconds
    counts = multiply_adds(model)
    per_example = training_flops_per_example(counts)
    achieved = throughput * per_example
    peak = peak_flops(machine.physical_cores, machine.mhz, machine.flops_per_cycle)
    flags = ", ".join(machine.flags_used) or "none of avx512f, avx2, fma, avx"
    assumptions = [
        ("FLOPs per training example = 3 x 2 x (multiply-adds of one forward pass): a "
         "multiply-add is 2 FLOPs, and the backward pass (gradients of the inputs and of the "
         "weights) costs about twice the forward. Counted from the layer shapes by "
         "convbook.models.multiply_adds: Conv2D and Dense only; biases, activations, pooling, "
         "the loss and the optimizer's update are left out, so the true count is a little higher."),
        (f"Peak = physical cores x clock x fp32 FLOPs per cycle and core = "
         f"{machine.physical_cores} x {machine.mhz:.0f} MHz ({machine.mhz_source}) x "
         f"{machine.flops_per_cycle} (flags: {flags}; avx512f 64, avx2+fma 32, avx 16, else 8)."),
        ("The flag table assumes two full-width FMA units a core. CPUs with one 512-bit unit, or "
         "that split AVX-512 into two 256-bit halves (AMD Zen 4), reach half of it; turbo clocks "
         "above the listed one are not counted, and a virtual machine's core may share its "
         "physical core with another."),
        (f"Epoch = {len(images):,} examples in batches of {TRAINING_BATCH} fed by "
         "convbook.training.ShuffledBatches, no validation pass; the first epoch (which traces "
         "the model) is left out; seconds per epoch is the median of the others."),
    ]
    log(f"  {seconds:.1f} s per epoch, {throughput:,.0f} examples/s")
    return TrainingResult(
        examples=len(images),
        batch_size=TRAINING_BATCH,
        warmup_epoch_seconds=warmup,
        epoch_seconds=timed,
        seconds_per_epoch=seconds,
        examples_per_second=throughput,
        multiply_adds=counts,
        flops_per_example=per_example,
        achieved_flops=achieved,
        peak_flops=peak,
        fraction_of_peak=achieved / peak if peak else None,
        assumptions=assumptions,
    )


# -- the report ---------------------------------------------------------------------------------
def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """A Markdown table with padded columns, readable as plain text too.

    Args:
        headers: the column titles.
        rows: the cells, converted with ``str``; ``|`` in a cell is escaped.
        align: one letter a column, ``l`` (left, the default for missing letters) or ``r``.
    """
    if any(len(row) != len(headers) for row in rows):
        raise ValueError(f"every row needs {len(headers)} cells")
    if len(align) > len(headers) or set(align) - {"l", "r"}:
        raise ValueError(f"align takes one 'l' or 'r' a column, got {align!r}")
    align = align.ljust(len(headers), "l")
    cells = [[str(cell).replace("|", "\\|") for cell in row] for row in [headers, *rows]]
    widths = [max(3, *(len(row[i]) for row in cells)) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if side == "r" else cell.ljust(width)
            for cell, width, side in zip(row, widths, align)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (width - 1) + ":" if side == "r" else "-" * width
            for width, side in zip(widths, align)]
    return "\n".join([line(cells[0]), line(rule), *(line(row) for row in cells[1:])])


def _seconds(values: Iterable[float]) -> str:
    return ", ".join(f"{value:.1f}" for value in values)


def render_markdown(results: Mapping[str, Any]) -> str:
    """The report, from the results as written to JSON."""
    head = results["header"]
    machine = head["machine"]
    load = head["load_average"]
    parts = [
        "# Benchmarks",
        "",
        f"- Date: {head['date']}; the run took {head['total_seconds'] / 60:.1f} min.",
        (f"- Machine: {machine['logical_cores']} logical cores ({machine['physical_cores']} "
         f"physical), {machine['cpu_model']}, {machine['memory_bytes'] / 2**30:.1f} GiB of memory, "
         f"{head['platform']}."),
        (f"- Load average (1, 5, 15 min) at the start {_load(load['start'])}, at the end "
         f"{_load(load['end'])}; a load near or above the number of cores means that other "
         "work competed for the processor and slowed the figures below."),
        f"- Python {head['python']}, TensorFlow {head['tensorflow']}, Keras {head['keras']}.",
        f"- Command: `{head['command']}`",
    ]
    notebooks = results.get("notebooks")
    parts += ["", "## Notebooks: a fresh top-to-bottom execution", ""]
    if notebooks is None:
        parts.append("Skipped.")
    else:
        parts += [
            (f"nbclient, a new kernel each run, started in the notebook's folder; time from the "
             f"kernel's start to the end of the last cell, median of the runs (target "
             f"< {NOTEBOOK_SECONDS:.0f} s); the kernel's peak resident memory, worst run (target "
             f"< {NOTEBOOK_MEMORY_MIB:.0f} MiB, Binder's 2 GB). The slowest cell is numbered "
             "from 0 among all the notebook's cells, Markdown included."),
            "",
            markdown_table(
                ["notebook", "median s", "runs s", "time", "peak MiB", "memory", "slowest cell"],
                [
                    [
                        Path(item["notebook"]).name,
                        f"{item['median_seconds']:.1f}",
                        _seconds(run["seconds"] for run in item["runs"]),
                        item["time_verdict"],
                        f"{item['peak_mib']:.0f}",
                        item["memory_verdict"],
                        _slowest(item["runs"]),
                    ]
                    for item in notebooks
                ],
                "lrrlrll",
            ),
        ]
        parts += [
            f"\n{Path(item['notebook']).name} failed: {run['error']}"
            for item in notebooks for run in item["runs"] if run["error"]
        ]
    parts += ["", "## The test suite and the book build", ""]
    suite, build = results.get("suite"), results.get("build")
    rows = [
        [f"`{item['command']}`", str(len(item["seconds"])), f"{item['median_seconds']:.1f}",
         _seconds(item["seconds"]), target, verdict(item["median_seconds"], limit) if limit else "",
         ", ".join(map(str, item["exit_codes"]))]
        if item else [f"`{command}`: skipped", "", "", "", target, "", ""]
        for item, command, target, limit in (
            (suite, "pytest --nbval", f"< {SUITE_SECONDS:.0f} s", SUITE_SECONDS),
            (build, "jupyter-book build", "", 0.0),
        )
    ]
    parts.append(markdown_table(
        ["command", "runs", "median s", "runs s", "target", "", "exit codes"], rows, "lrrrlll"
    ))
    if suite:
        parts.append(
            f"\n`pytest --nbval` runs once (it executes every notebook itself): "
            f"{suite['last_line']}."
        )
    if build:
        parts.append(
            "\nEach build goes to a fresh folder (TMP), a full build from the stored notebooks"
            + (", and the first warms the caches and is left out of the median."
               if build["counted_from"] else ".")
        )
    explorers = results.get("explorers")
    parts += ["", "## Explorers: answering a change", ""]
    if explorers is None:
        parts.append("Skipped.")
    else:
        parts += [
            (f"Each explorer on its page of the built book, in headless Chromium: "
             f"{TIMED_CHANGES} random changes of its enabled controls timed after "
             f"{WARMUP_CHANGES} of warm-up (sliders a step, menus any option, typed kernels "
             "from a list with mistakes). \"Browser\" is the redraw the page measures itself: "
             "computing and drawing the picture, or showing the message for impossible "
             f"settings; target: 95th percentile < {FRAME_MS:.0f} ms, one frame. \"Kernel\" "
             "replays the same changes on the explorer rebuilt in Python from the saved state: "
             "setting the value and computing the message, what a change costs in a running "
             "notebook before the browser redraws. \"Messages\" counts the changes whose "
             "settings were impossible."),
            "",
            markdown_table(
                ["explorer", "notebook", "browser median ms", "browser p95 ms", "max ms",
                 f"p95 < {FRAME_MS:.0f} ms", "kernel median ms", "kernel p95 ms", "messages"],
                [
                    [item["name"], item["notebook"], f"{item['browser_median_ms']:.2f}",
                     f"{item['browser_p95_ms']:.2f}", f"{item['browser_max_ms']:.1f}",
                     item["verdict"], f"{item['kernel_median_ms']:.2f}",
                     f"{item['kernel_p95_ms']:.2f}", f"{item['messages']}/{item['changes']}"]
                    for item in explorers
                ],
                "llrrrlrrr",
            ),
        ]
    parts += ["", "## Training the MNIST convnet", ""]
    training = results.get("training")
    if training is None:
        parts.append("Skipped.")
    else:
        parts += [
            markdown_table(
                ["figure", "value"],
                [
                    ["seconds per epoch (median of the timed epochs)",
                     f"{training['seconds_per_epoch']:.1f}"],
                    ["timed epochs, s", _seconds(training["epoch_seconds"])],
                    ["warm-up epoch, s (not counted)", f"{training['warmup_epoch_seconds']:.1f}"],
                    ["training throughput, examples/s", f"{training['examples_per_second']:,.0f}"],
                    ["multiply-adds per example, forward",
                     f"{sum(training['multiply_adds'].values()):,}"],
                    ["FLOPs per training example", f"{training['flops_per_example']:,}"],
                    ["achieved, GFLOP/s", f"{training['achieved_flops'] / 1e9:.1f}"],
                    ["CPU fp32 peak, GFLOP/s", f"{training['peak_flops'] / 1e9:.1f}"],
                    ["achieved / peak", "unknown (no clock found)"
                     if training["fraction_of_peak"] is None
                     else f"{training['fraction_of_peak']:.1%}"],
                ],
                "lr",
            ),
            "",
            *(f"- {assumption}" for assumption in training["assumptions"]),
        ]
    parts += ["", "## The built site", ""]
    site = results.get("site")
    if site is None:
        parts.append("Skipped (it is measured on the benchmark's own book build).")
    else:
        parts += [
            (f"{site['total_mb']:.1f} MB in {site['files']} files. The heaviest pages, each with "
             "the images it shows from `_images/` (scripts and styles in `_static/` are shared by "
             f"every page and loaded once); target: a page < {PAGE_MB:.0f} MB, which a 10 Mbit/s "
             "connection loads in about 4 s."),
            "",
            markdown_table(
                ["page", "HTML MB", "images MB", "total MB", f"< {PAGE_MB:.0f} MB"],
                [[page["page"], f"{page['html_mb']:.2f}", f"{page['images_mb']:.2f}",
                  f"{page['total_mb']:.2f}", page["verdict"]] for page in site["heaviest"]],
                "lrrrl",
            ),
        ]
    return "\n".join(parts) + "\n"


def _load(values: Sequence[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def _slowest(runs: Sequence[Mapping[str, Any]]) -> str:
    cells = [run["slowest_cell"] for run in runs if run["slowest_cell"]]
    if not cells:
        return ""
    index, seconds = max(cells, key=lambda cell: cell[1])
    return f"cell {index}: {seconds:.1f} s"


# -- the command --------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line's options (``argv`` without the program; ``None``: ``sys.argv``)."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Every section runs unless skipped; --notebooks, --skip-* and --repeat 1 make "
        "quick partial runs while working on one part.",
    )
    parser.add_argument("--repeat", type=int, default=2, metavar="N",
                        help="runs of each notebook and of the book build (default 2)")
    parser.add_argument("--notebooks", nargs="+", metavar="TEXT",
                        help="only the notebooks whose file name contains one of these")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-suite", action="store_true", help="skip pytest --nbval")
    parser.add_argument("--skip-build", action="store_true",
                        help="skip the book build and the site it is measured on")
    parser.add_argument("--skip-explorers", action="store_true")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--timeout", type=int, default=1800,
                        help="seconds allowed per notebook cell (default 1800)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="write OUT.json and OUT.md (default benchmarks/results)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def select_notebooks(paths: Iterable[Path], patterns: Sequence[str] | None) -> list[Path]:
    """The notebooks, sorted, whose file name contains one of ``patterns`` (all without)."""
    chosen = sorted(paths)
    if patterns:
        chosen = [path for path in chosen if any(text in path.name for text in patterns)]
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sections not skipped, write ``OUT.json`` and ``OUT.md``, print the report."""
    args = parse_args(argv)
    # The kernels and tools must be this environment's, whatever another PATH entry names.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    started = time.perf_counter()
    machine = describe_machine()
    results: dict[str, Any] = {
        "header": {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": shlex.join(["python", *sys.argv] if argv is None else ["python", *argv]),
            "machine": asdict(machine),
            "platform": platform.platform(terse=True),
            "python": platform.python_version(),
            "tensorflow": package_version("tensorflow-cpu", "tensorflow"),
            "keras": package_version("keras"),
            "load_average": {"start": list(os.getloadavg())},
        },
        "targets": {
            "notebook_seconds": NOTEBOOK_SECONDS,
            "notebook_memory_mib": NOTEBOOK_MEMORY_MIB,
            "suite_seconds": SUITE_SECONDS,
            "frame_ms": FRAME_MS,
            "page_mb": PAGE_MB,
        },
    }
    if not args.skip_notebooks:
        paths = select_notebooks((ROOT / "book").glob("*.ipynb"), args.notebooks)
        results["notebooks"] = [
            asdict(item) for item in benchmark_notebooks(paths, args.repeat, args.timeout)
        ]
    if not args.skip_suite:
        results["suite"] = asdict(benchmark_suite())
    if not args.skip_build:
        build, site = benchmark_build(args.repeat)
        results["build"], results["site"] = asdict(build), asdict(site)
    if not args.skip_explorers:
        results["explorers"] = [asdict(item) for item in benchmark_explorers()]
    if not args.skip_training:
        from convbook import silence_tensorflow
        from convbook.data import as_model_input, load_mnist

        silence_tensorflow()
        (x_train, y_train), _ = load_mnist()
        results["training"] = asdict(
            benchmark_training(as_model_input(x_train), y_train, machine)
        )
    results["header"]["load_average"]["end"] = list(os.getloadavg())
    results["header"]["total_seconds"] = time.perf_counter() - started
    report = render_markdown(results)
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(results, indent=2) + "\n")
    Path(f"{out}.md").write_text(report)
    print(report)
    log(f"wrote {out}.json and {out}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
