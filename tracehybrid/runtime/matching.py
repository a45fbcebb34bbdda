"""Which code objects are candidates: each code's file, resolved once, against the candidate files.

PY_START sees every code object the process runs (importing TensorFlow alone starts ~20,000 of
them, from ~4,000 files), so a file is resolved once, and resolving it costs one `lstat` where
`os.path.realpath` costs one per path component (GPflow's import: 0.16 s of realpath, 0.06 s
resolved per directory).
"""

from __future__ import annotations

import os
from types import CodeType

from tracehybrid.runtime.candidates import CandidateSet, CandidateSpec

_realpath = os.path.realpath
_islink = os.path.islink
_join = os.path.join
_SEP = os.sep
_SPECIAL_NAMES = ("", ".", "..")


class CandidateMatcher:
    """Code object -> its CandidateSpec, or None; every answer about a file is cached."""

    def __init__(self, candidates: CandidateSet) -> None:
        self._by_key = candidates.by_key
        self._candidate_files = frozenset(key[0] for key in candidates.by_key)
        self._files: dict[str, str | None] = {}  # co_filename -> candidate file realpath or None
        self._dirs: dict[str, str] = {}  # directory as written -> its realpath

    def spec_for(self, code: CodeType) -> CandidateSpec | None:
        """The candidate whose file, first line and qualname this code object has, if any."""
        filename = code.co_filename
        try:
            canonical = self._files[filename]
        except KeyError:  # once per file
            real = self.realpath(filename)
            canonical = self._files[filename] = real if real in self._candidate_files else None
        if canonical is None:
            return None
        return self._by_key.get((canonical, code.co_firstlineno, code.co_qualname))

    def realpath(self, path: str) -> str:
        """`os.path.realpath(path)`, resolving each directory once.

        realpath resolves components left to right, so for a last component that is a plain
        name and no symlink, realpath(dir/name) is realpath(dir) joined with name; anything
        else (a symlink, `..`, a relative path, another separator) goes to realpath itself.
        """
        head, _sep, tail = path.rpartition(_SEP)
        if not head or tail in _SPECIAL_NAMES or not path.startswith(_SEP) or os.altsep:
            return _realpath(path)
        if _islink(path):
            return _realpath(path)
        real = self._dirs.get(head)
        if real is None:
            real = self._dirs[head] = self.realpath(head)
        return _join(real, tail)
