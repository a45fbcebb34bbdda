"""What `apply` is asked to do (targets, edits) and what a transform returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EditKind = Literal["convert", "optimize", "dehybridize"]


@dataclass(frozen=True)
class FunctionTarget:
    """A function as results.json names it."""

    #: Python ``__qualname__``: ``"Model.call"``, ``"outer.<locals>.inner"``.
    qualname: str
    #: Line of the ``def``; a line of one of its decorators is accepted too, since
    #: ``co_firstlineno`` points at the first decorator.
    line: int


@dataclass(frozen=True)
class Edit:
    """One refactoring of one function."""

    target: FunctionTarget
    kind: EditKind
    #: The decorator as results.json spells it, with the canonical ``tf.`` prefix:
    #: ``"@tf.function"`` or ``"@tf.function(reduce_retracing=True)"``; ``""`` for dehybridize.
    decorator: str


@dataclass(frozen=True)
class Success:
    """The transform ran; ``new_source`` equals the input when nothing needed changing."""

    new_source: str
    #: One line per change made, for a person: ``"Model.call: added @tf.function"``.
    changed: list[str]
    #: One line per edit that was not applied while others in the same file were.
    skipped: list[str] = field(default_factory=list)
    #: How many edits changed their function (import changes are not counted).
    fixes: int = 0


@dataclass(frozen=True)
class Skip:
    """No edit could be applied; the file is left as it was."""

    reason: str


@dataclass(frozen=True)
class Failure:
    """The source or an edit is invalid (a parse error, a malformed decorator)."""

    reason: str
    #: True when the source itself does not parse: the runner skips the file with a warning.
    unparsable: bool = False


TransformResult = Success | Skip | Failure


class EditSkipped(Exception):  # noqa: N818 - a control-flow signal, as libcst's SkipFile
    """Raised inside a codemod to skip one edit; never escapes `transform_source`."""


class EditInvalid(Exception):  # noqa: N818 - a control-flow signal
    """Raised inside a codemod for a malformed edit; never escapes `transform_source`."""
