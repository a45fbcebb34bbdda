"""The entry points: analyse a project (cached, in parallel when large) or one in-memory module."""

from __future__ import annotations

import io
import multiprocessing
import os
import tokenize
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static.cache import CACHE_FOLDER_NAME, cache_key, open_cache
from tracehybrid.static.discovery import SourceFile, discover
from tracehybrid.static.facts import link
from tracehybrid.static.model import ProjectFacts, SourceWarning
from tracehybrid.static.modules import analyze_module
from tracehybrid.static.summary import ModuleSummary

PARALLEL_MIN_FILES = 50  # below this, starting worker processes costs more than it saves
Progress = Callable[[int, int], None]


@dataclass
class AnalysisStats:
    """What a run did: files parsed now versus summaries taken from the cache."""

    files: int = 0
    parsed: int = 0
    cache_hits: int = 0
    workers: int = 1


def analyze_source(source: str, path: str = "mod.py", module: str = "mod") -> ProjectFacts:
    """Facts for one in-memory module (tests, editors)."""
    is_package = path.endswith("__init__.py")
    return link(Path(), [analyze_module(source, path, module, is_package=is_package)])


def analyze_project(
    config: Config,
    paths: Sequence[Path] | None = None,
    progress: Progress | None = None,
    *,
    cache_dir: Path | None = None,
    stats: AnalysisStats | None = None,
) -> ProjectFacts:
    """Facts for every function of the project under `config.root` (or `paths`)."""
    stats = stats if stats is not None else AnalysisStats()
    files = discover(config, paths)
    stats.files = len(files)
    contents = {f.relpath: _read(f.path) for f in files}
    keys = {
        f.relpath: cache_key(contents[f.relpath], f.relpath, f.module, f.is_package, f.local.key())
        for f in files
    }
    cache = None
    if config.cache:
        cache = open_cache(cache_dir or config.output_path / CACHE_FOLDER_NAME, config.root)
    try:
        cached = cache.get_many(keys.values()) if cache is not None else {}
        summaries = {f.relpath: cached[keys[f.relpath]] for f in files if keys[f.relpath] in cached}
        stats.cache_hits = len(summaries)
        missing = [f for f in files if f.relpath not in summaries]
        done = len(summaries)
        if progress is not None:
            progress(done, len(files))
        fresh = _analyse_all(missing, contents, config.jobs, stats)
        for file, summary in zip(missing, fresh, strict=True):
            summaries[file.relpath] = summary
            done += 1
            if progress is not None:
                progress(done, len(files))
        if cache is not None and missing:
            cache.put_many((keys[f.relpath], summaries[f.relpath]) for f in missing)
    finally:
        if cache is not None:
            cache.close()
    return link(config.root, list(summaries.values()), config.disable)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        return f"# unreadable: {exc}".encode()


def _analyse_all(
    files: list[SourceFile], contents: dict[str, bytes], jobs: int, stats: AnalysisStats
) -> list[ModuleSummary]:
    stats.parsed = len(files)
    workers = min(jobs or os.cpu_count() or 1, len(files))
    if len(files) <= PARALLEL_MIN_FILES or workers <= 1:
        return [analyse_file(f, contents[f.relpath]) for f in files]
    stats.workers = workers
    tasks = [(f, contents[f.relpath]) for f in files]
    chunk = max(1, len(tasks) // (workers * 8))
    # spawn, not fork: the caller may hold threads (TensorFlow's, a test runner's), and forking a
    # multi-threaded process can deadlock the child.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_analyse_task, tasks, chunksize=chunk))


def _analyse_task(task: tuple[SourceFile, bytes]) -> ModuleSummary:
    return analyse_file(*task)


def analyse_file(file: SourceFile, content: bytes) -> ModuleSummary:
    """Decode and summarise one file; undecodable files become a warning."""
    try:
        source = decode_python(content)
    except (SyntaxError, UnicodeDecodeError) as exc:
        summary = ModuleSummary(file.relpath, file.module, file.is_package, 0)
        summary.warnings.append(SourceWarning(file.relpath, *_decode_problem(content, exc)))
        return summary
    return analyze_module(
        source, file.relpath, file.module, is_package=file.is_package, local=file.local
    )


def decode_python(content: bytes) -> str:
    """Decode as Python does: a BOM, else a PEP 263 `coding:` declaration, else UTF-8.

    Raises SyntaxError for an unknown declared encoding, UnicodeDecodeError for bad bytes.
    Line endings are kept as they are, so line numbers match the file.
    """
    encoding, _ = tokenize.detect_encoding(io.BytesIO(content).readline)
    return content.decode(encoding)


NOT_UTF8 = "not UTF-8, and no PEP 263 `# -*- coding: ... -*-` line names its encoding"


def _decode_problem(content: bytes, exc: SyntaxError | UnicodeDecodeError) -> tuple[int, str]:
    """The line and message of a decoding failure, for a one-line warning."""
    if isinstance(exc, SyntaxError):  # tokenize's: bad bytes in the first two lines, or a cookie
        unknown = "unknown encoding" in (exc.msg or "")
        return exc.lineno or 1, f"cannot decode: {exc.msg if unknown else NOT_UTF8}"
    line = content[: exc.start].count(b"\n") + 1
    if exc.encoding.replace("-", "").lower().startswith("utf8"):
        return line, f"cannot decode: {NOT_UTF8} ({exc.reason})"
    return line, f"cannot decode as {exc.encoding}, as its coding line says: {exc.reason}"
