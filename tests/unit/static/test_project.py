"""Whole projects on disk: modules, bad files, suppression, disabled codes, cache, workers."""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path

import pytest

from tracehybrid.config import Config
from tracehybrid.static import AnalysisStats, analyze_project, analyze_source


def write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


PACKAGE = {
    "pkg/__init__.py": "from .helpers import report as report_alias\n",
    "pkg/helpers.py": """
        import logging
        log = logging.getLogger(__name__)
        def report(x):
            log.info("value %s", x)
            return x
        """,
    "pkg/model.py": """
        import tensorflow as tf
        from pkg import report_alias
        from . import helpers
        def step(x):
            y = tf.square(x)
            report_alias(y)
            return helpers.report(y)
        def relative(x):
            return helpers.report(x)
        step(tf.ones([2]))
        """,
    "tests/test_model.py": "def test_x():\n    print('excluded')\n",
}


def test_effects_cross_modules_through_reexports_and_relative_imports(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE)
    project = analyze_project(Config(root=tmp_path, cache=False))
    assert [f.path for f in project.functions] == ["pkg/helpers.py", "pkg/model.py", "pkg/model.py"]
    step = project.function("step")
    assert step.module == "pkg.model"
    assert ("TH102", "report", 7) in {(f.code, f.via, f.line) for f in step.findings}
    relative = project.function("relative")
    assert ("TH102", "report", 10) in {(f.code, f.via, f.line) for f in relative.findings}
    report = project.function("report")
    assert report.param("x").tensor.is_yes
    assert "pkg/model.py:7" in report.param("x").tensor.reason
    assert project.files_analysed == 3
    json.dumps(project.to_dict())


def test_paths_argument_and_config_source_select_files(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE)
    only = analyze_project(
        Config(root=tmp_path, cache=False), paths=[tmp_path / "pkg" / "helpers.py"]
    )
    assert [f.qualname for f in only.functions] == ["report"]
    sourced = analyze_project(Config(root=tmp_path, cache=False, source=("pkg.helpers",)))
    assert [f.qualname for f in sourced.functions] == ["report"]


def test_unparsable_and_non_utf8_files_are_warnings_and_the_rest_is_analysed(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"good.py": "def ok(x):\n    print(x)\n", "bad.py": "def broken(:\n    pass\n"})
    (tmp_path / "latin.py").write_bytes(b"# caf\xe9\nx = 1\n")
    project = analyze_project(Config(root=tmp_path, cache=False))
    warnings = {(w.path, w.line) for w in project.warnings}
    assert ("bad.py", 1) in warnings
    assert ("latin.py", 1) in warnings
    assert any("UTF-8" in w.message for w in project.warnings)
    assert "TH101" in project.function("ok").codes


def test_suppression_comments_drop_findings_on_their_line() -> None:
    project = analyze_source(
        textwrap.dedent(
            """
            import time
            def f(x):
                print(x)  # tracehybrid: ignore[TH101]
                time.time()  # tracehybrid: ignore[TH101]
                open("a")  # tracehybrid: ignore
            def g(x):
                f(x)
            """
        )
    )
    assert project.function("f").codes == {"TH142"}
    assert project.function("g").codes == {"TH142"}  # suppressed causes do not propagate


def test_disabled_codes_are_dropped(tmp_path: Path) -> None:
    write(
        tmp_path, {"m.py": "import random\ndef f(x):\n    print(x)\n    return random.random()\n"}
    )
    project = analyze_project(Config(root=tmp_path, cache=False, disable=frozenset({"TH101"})))
    assert project.function("f").codes == {"TH141"}


def test_second_run_over_an_unchanged_tree_parses_nothing(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE)
    config = Config(root=tmp_path)
    first_stats, second_stats = AnalysisStats(), AnalysisStats()
    first = analyze_project(config, stats=first_stats)
    second = analyze_project(config, stats=second_stats)
    assert (first_stats.parsed, first_stats.cache_hits) == (3, 0)
    assert (second_stats.parsed, second_stats.cache_hits) == (0, 3)
    assert first.to_dict() == second.to_dict()
    assert (tmp_path / ".tracehybrid" / "cache" / "static.sqlite").is_file()
    (tmp_path / "pkg" / "helpers.py").write_text("def report(x):\n    return x\n")
    third_stats = AnalysisStats()
    third = analyze_project(config, stats=third_stats)
    assert (third_stats.parsed, third_stats.cache_hits) == (1, 2)
    assert "TH102" not in third.function("step").codes


def test_cache_dir_can_be_pointed_elsewhere(tmp_path: Path) -> None:
    write(tmp_path / "proj", PACKAGE)
    analyze_project(Config(root=tmp_path / "proj"), cache_dir=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "static.sqlite").is_file()
    assert not (tmp_path / "proj" / ".tracehybrid").exists()


def test_progress_reports_every_file(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE)
    seen: list[tuple[int, int]] = []
    analyze_project(Config(root=tmp_path, cache=False), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many")
    files = {"app/__init__.py": ""}
    for i in range(60):
        files[f"app/m{i}.py"] = f"""
            import tensorflow as tf
            from app.m{(i + 1) % 60} import f{(i + 1) % 60}
            SEEN = []
            def f{i}(x, depth=0):
                SEEN.append(x)
                return f{(i + 1) % 60}(tf.abs(x), depth) if depth else x
            """
    write(root, files)
    return root


def test_parallel_results_equal_serial_results(many_files: Path) -> None:
    serial_stats, parallel_stats = AnalysisStats(), AnalysisStats()
    serial = analyze_project(Config(root=many_files, cache=False, jobs=1), stats=serial_stats)
    parallel = analyze_project(Config(root=many_files, cache=False, jobs=2), stats=parallel_stats)
    assert (serial_stats.workers, parallel_stats.workers) == (1, 2)
    assert serial.to_dict() == parallel.to_dict()
    f0 = serial.function("f0")
    assert "TH161" in f0.codes  # a 60-module cycle
    assert "TH123" in f0.codes


def test_the_projects_own_syntax_warnings_are_not_printed_by_the_analysis() -> None:
    source = 'import tensorflow as tf\ndef f(x):\n    """matches \\s+"""\n    return tf.abs(x)\n'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compile(source, "probe.py", "exec")  # Python itself warns: an invalid escape sequence
        assert [w.category for w in caught] == [SyntaxWarning]
        caught.clear()
        facts = analyze_source(source, "probe.py")
    assert facts.function("f").is_candidate
    assert caught == []
