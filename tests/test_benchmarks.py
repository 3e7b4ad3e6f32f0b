"""The benchmark script's pure functions, on small inputs (the benchmark itself is not run)."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while they are built
    spec.loader.exec_module(module)
    return module


run = _load_script()


# -- percentiles ---------------------------------------------------------------------------------
@pytest.mark.parametrize("q", [0, 5, 25, 50, 90, 95, 100])
def test_percentile_agrees_with_numpy(q):
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0]
    assert run.percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_percentile_of_small_samples():
    assert run.percentile([7.0], 95) == 7.0
    assert run.percentile([1.0, 2.0], 50) == 1.5
    assert run.percentile([10.0, 0.0, 20.0, 30.0], 50) == 15.0


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_what_it_cannot_compute(values, q):
    with pytest.raises(ValueError):
        run.percentile(values, q)


# -- the CPU's peak ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("flags", "per_cycle"),
    [
        ({"sse2", "avx", "fma", "avx2", "avx512f"}, 64),
        ({"sse2", "avx", "fma", "avx2"}, 32),
        ({"sse2", "avx", "avx2"}, 16),  # AVX2 without FMA: no fused multiply-add
        ({"sse2", "avx"}, 16),
        ({"sse2", "sse4_2"}, 8),
        (set(), 8),
    ],
)
def test_flops_per_cycle_follows_the_widest_instructions(flags, per_cycle):
    assert run.flops_per_cycle(flags) == per_cycle


def test_peak_flops_is_cores_times_clock_times_flops_per_cycle():
    assert run.peak_flops(2, 2500.0, 32) == pytest.approx(2 * 2.5e9 * 32)
    assert run.peak_flops(1, 1000.0, 8) == pytest.approx(8e9)


def test_training_flops_count_a_forward_and_a_backward_twice_as_costly():
    assert run.training_flops_per_example({"conv1": 100, "classifier": 50}) == 3 * 2 * 150


CPUINFO = """\
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC 9R14
cpu MHz\t\t: 2596.154
flags\t\t: fpu sse2 avx fma avx2 avx512f

processor\t: 1
model name\t: AMD EPYC 9R14
cpu MHz\t\t: 3100.000
flags\t\t: fpu sse2 avx fma avx2 avx512f
"""


def test_parse_cpuinfo_reads_model_flags_and_the_fastest_clock():
    cpu = run.parse_cpuinfo(CPUINFO)
    assert cpu.model == "AMD EPYC 9R14 (family 25, model 17)"
    assert {"avx2", "fma", "avx512f"} <= cpu.flags
    assert cpu.mhz == 3100.0
    assert run.flops_per_cycle(cpu.flags) == 64


def test_parse_lscpu_max_mhz():
    listing = "Model name:            Intel(R) Xeon(R)\nCPU max MHz:           3500.0000\n"
    assert run.parse_lscpu_max_mhz(listing) == 3500.0
    assert run.parse_lscpu_max_mhz("Model name: AMD EPYC\nBogoMIPS: 5192.30\n") is None


def test_parse_vm_hwm_gives_bytes():
    status = "Name:\tpython\nVmPeak:\t 2000000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 100000 kB\n"
    assert run.parse_vm_hwm(status) == 123456 * 1024
    with pytest.raises(ValueError):
        run.parse_vm_hwm("Name:\tpython\n")


# -- the built site ------------------------------------------------------------------------------
def _site(tmp_path: Path) -> Path:
    site = tmp_path / "html"
    (site / "_images").mkdir(parents=True)
    (site / "_static").mkdir()
    (site / "book").mkdir()
    (site / "_images" / "big.png").write_bytes(b"x" * 3000)
    (site / "_images" / "small.png").write_bytes(b"x" * 500)
    (site / "_static" / "theme.js").write_bytes(b"x" * 10_000)
    (site / "index.html").write_text('<img src="_images/small.png"><p>home</p>')
    (site / "book" / "chapter.html").write_text(
        '<img src="../_images/big.png"> <img src="../_images/big.png">'  # counted once
        '<a href="../_images/small.png">small</a> <img src="../_images/missing.png">'
        '<script src="../_static/theme.js"></script>'
    )
    return site


def test_directory_size_counts_every_file(tmp_path):
    site = _site(tmp_path)
    total, files = run.directory_size(site)
    html = sum(page.stat().st_size for page in site.rglob("*.html"))
    assert files == 5
    assert total == 3000 + 500 + 10_000 + html


def test_page_weights_add_each_referenced_image_once(tmp_path):
    site = _site(tmp_path)
    weights = {page.page: page for page in run.page_weights(site)}
    assert set(weights) == {"index.html", "book/chapter.html"}
    chapter = weights["book/chapter.html"]
    assert chapter.image_bytes == 3000 + 500  # scripts in _static and missing files not counted
    assert chapter.total_bytes == chapter.html_bytes + 3500
    assert weights["index.html"].image_bytes == 500


def test_measure_site_sorts_the_heaviest_pages_first(tmp_path):
    site = run.measure_site(_site(tmp_path), top=1)
    assert site.files == 5
    assert [page["page"] for page in site.heaviest] == ["book/chapter.html"]
    assert site.heaviest[0]["verdict"] == "PASS"


# -- the report ----------------------------------------------------------------------------------
def test_markdown_table_pads_aligns_and_escapes():
    table = run.markdown_table(["name", "ms"], [["a|b", 1.5], ["longer name", "12.0"]], "lr")
    assert table.splitlines() == [
        "| name        |   ms |",
        "| ----------- | ---: |",
        "| a\\|b        |  1.5 |",
        "| longer name | 12.0 |",
    ]


def test_markdown_table_rejects_ragged_rows_and_unknown_alignment():
    with pytest.raises(ValueError):
        run.markdown_table(["a", "b"], [["only one"]])
    with pytest.raises(ValueError):
        run.markdown_table(["a"], [["x"]], "c")


def test_verdict_and_notebook_selection():
    assert run.verdict(49.9, 50) == "PASS"
    assert run.verdict(50.0, 50) == "MISS"
    paths = [Path("book/03-padding.ipynb"), Path("book/00-getting-started.ipynb")]
    assert run.select_notebooks(paths, None) == sorted(paths)
    assert run.select_notebooks(paths, ["03"]) == [Path("book/03-padding.ipynb")]


def test_a_control_value_is_replayed_as_the_trait_holds_it():
    import numpy as np

    from convbook.explorers import ConvolutionExplorer

    explorer = ConvolutionExplorer(np.zeros((2, 5, 5), dtype=np.uint8))
    assert run._python_value(explorer, "row", "3") == 3
    assert run._python_value(explorer, "weights", "1 2 3") == "1 2 3"


def _header() -> dict:
    machine = {"logical_cores": 2, "physical_cores": 2, "cpu_model": "CPU", "memory_bytes": 2**31}
    return {
        "date": "2026-01-01T00:00:00+00:00", "total_seconds": 6.0, "machine": machine,
        "platform": "Linux", "python": "3.11", "tensorflow": "2", "keras": "3",
        "load_average": {"start": [0.5, 0.5, 0.5], "end": [1.0, 0.5, 0.5]},
        "command": "python benchmarks/run.py --skip-suite",
    }


def test_the_explorer_table_judges_the_browser_against_one_frame():
    fast = run.ExplorerResult("ConvolutionExplorer", "01-convolution", 200, 12, 1.2, 3.4, 9.0,
                              0.5, 0.9, run.verdict(3.4, run.FRAME_MS))
    slow = run.ExplorerResult("DigitPad", "06-mnist-convnet", 200, 0, 14.0, 21.5, 40.0,
                              2.0, 3.0, run.verdict(21.5, run.FRAME_MS))
    report = run.render_markdown({"header": _header(), "explorers": [
        dataclasses.asdict(fast), dataclasses.asdict(slow)]})
    rows = [line for line in report.splitlines() if line.startswith(("| Conv", "| Digit"))]
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells == ["ConvolutionExplorer", "01-convolution", "1.20", "3.40", "9.0", "PASS",
                     "0.50", "0.90", "12/200"]
    assert [row.count("PASS") - row.count("MISS") for row in rows] == [1, -1]


def test_the_report_of_a_run_with_every_section_skipped():
    report = run.render_markdown({"header": _header()})
    assert "- Command: `python benchmarks/run.py --skip-suite`" in report
    assert "| `pytest --nbval`: skipped" in report
    assert report.count("Skipped") == 4  # notebooks, explorers, training, site


def test_last_lines_drop_colours_rules_and_blank_lines():
    output = "collected 3 items\n\n\x1b[32m===== 3 passed in 1.50s =====\x1b[0m\n\n"
    assert run._last_lines(output, 1) == ["3 passed in 1.50s"]
    assert run._last_lines(output, 5) == ["collected 3 items", "3 passed in 1.50s"]
    assert run._last_lines("=====\n", 1) == []
