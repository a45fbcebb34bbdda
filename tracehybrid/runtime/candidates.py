"""Load the candidate list that static analysis hands to the tracer, and index it for PY_START."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES_ENV = "TRACEHYBRID_CANDIDATES"
OUT_DIR_ENV = "TRACEHYBRID_OUT"

CodeKey = tuple[str, int, str]  # (co_filename, co_firstlineno, co_qualname)


@dataclass(frozen=True)
class CandidateSpec:
    """One function the tracer watches, as static analysis located it."""

    path: str
    qualname: str
    line: int
    first_line: int
    kind: str = "eager"
    write_lines: tuple[int, ...] = ()

    @property
    def code_key(self) -> CodeKey:
        """The key PY_START matches on: robust to reloads and duplicated code objects."""
        return (self.path, self.first_line, self.qualname)


@dataclass
class CandidateSet:
    """Every candidate plus where stores go and which directories count as project code."""

    candidates: list[CandidateSpec]
    out_dir: Path
    source_roots: tuple[str, ...] = ()
    by_key: dict[CodeKey, CandidateSpec] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {spec.code_key: spec for spec in self.candidates}
        if not self.source_roots:
            dirs = {str(Path(spec.path).parent) for spec in self.candidates}
            self.source_roots = tuple(sorted(d + os.sep for d in dirs))


def _spec_from_json(item: dict[str, Any]) -> CandidateSpec:
    path = os.path.realpath(str(item["path"]))
    line = int(item["line"])
    return CandidateSpec(
        path=path,
        qualname=str(item["qualname"]),
        line=line,
        first_line=int(item.get("first_line", line)),
        kind=str(item.get("kind", "eager")),
        write_lines=tuple(int(n) for n in item.get("write_lines", ())),
    )


def parse_candidates(data: Any, out_dir: Path | None = None) -> CandidateSet:
    """Build a CandidateSet from the JSON document: a list, or an object with `candidates`."""
    items = data if isinstance(data, list) else data.get("candidates", [])
    roots: tuple[str, ...] = ()
    if isinstance(data, dict):
        roots = tuple(os.path.realpath(r) + os.sep for r in data.get("source_roots", ()))
    # `run_traced`'s out_dir (the environment) wins over the file's, which wins over the default.
    if os.environ.get(OUT_DIR_ENV):
        out_dir = Path(os.environ[OUT_DIR_ENV])
    elif out_dir is None and isinstance(data, dict) and data.get("out_dir"):
        out_dir = Path(data["out_dir"])
    out_dir = out_dir or Path(".tracehybrid")
    specs = [_spec_from_json(item) for item in items]
    return CandidateSet(specs, out_dir.resolve(), roots)


def load_candidates(path: Path, out_dir: Path | None = None) -> CandidateSet:
    """Read the candidates JSON file written by static analysis."""
    with open(path, encoding="utf-8") as handle:
        return parse_candidates(json.load(handle), out_dir)
