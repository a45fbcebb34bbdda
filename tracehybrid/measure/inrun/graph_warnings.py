"""Warnings that graph conversion causes, caught in the graph run and charged to a target.

TensorFlow and Keras often say when a graph went wrong while every test still passes: "Gradients
do not exist for variables" (training stops), "AutoGraph could not transform" (Python runs at
trace time only), "triggered tf.function retracing", a variable created inside a graph. They come
as Python warnings (`warnings.warn`, which pytest may record per test or `-p no:warnings` leaves to
`showwarning`) or through the `tensorflow` logger. Only messages of these kinds are kept: a graph
causes them, eager code does not.

A message raised while a target's graph form runs (its trace included) is charged to that target.
One raised elsewhere in a test (Keras warns about missing gradients in `apply_gradients`, after
the call) is charged to every target that ran as a graph in that test.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Callable
from typing import Any

#: Messages only a graph causes; the first line of a match is kept.
GRAPH_WARNINGS = re.compile(
    r"Gradients do not exist for variables"
    r"|AutoGraph could not transform"
    r"|triggered tf\.function retracing"
    r"|[Cc]reat\w* (?:a )?(?:tf\.)?[Vv]ariables? (?:inside|in) (?:a |the )?(?:tf\.function|graph)"
    r"|was not converted by AutoGraph"
)
MAX_TEXT = 300

#: (test node id, target key or "" outside any target call, message) -> charged by the owner.
Sink = Callable[[str, str, str], None]

_CALLS = threading.local()  # .keys: the targets whose graph form is running, innermost last


def entering(key: str) -> None:
    """The graph form of target KEY starts running on this thread (pair with `left`)."""
    keys: list[str] | None = getattr(_CALLS, "keys", None)
    if keys is None:
        keys = _CALLS.keys = []
    keys.append(key)


def left() -> None:
    """The innermost running graph form returned (or raised)."""
    keys: list[str] | None = getattr(_CALLS, "keys", None)
    if keys:
        keys.pop()


def _running() -> str:
    keys: list[str] | None = getattr(_CALLS, "keys", None)
    return keys[-1] if keys else ""


class WarningTap:
    """Listens for graph warnings in this process while it is installed."""

    def __init__(self, sink: Sink, current_test: Callable[[], str]) -> None:
        self.sink = sink
        self.current_test = current_test
        self._handler = _Handler(self)
        self._showwarning: Any = None

    def install(self) -> None:
        """Hook the `tensorflow` logger and `warnings.showwarning`."""
        logging.getLogger("tensorflow").addHandler(self._handler)
        self._showwarning = warnings.showwarning
        warnings.showwarning = self._shown

    def uninstall(self) -> None:
        """Put both back."""
        logging.getLogger("tensorflow").removeHandler(self._handler)
        if self._showwarning is not None and warnings.showwarning == self._shown:
            warnings.showwarning = self._showwarning

    def seen(self, message: str, test: str | None = None) -> None:
        """Charge MESSAGE if it is a graph warning (TEST: the node id pytest recorded it for)."""
        match = GRAPH_WARNINGS.search(message)
        if match is None:
            return
        text = message.strip().splitlines()[0][:MAX_TEXT] if message.strip() else match.group()
        self.sink(test or self.current_test(), _running(), text)

    def _shown(self, message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
        self.seen(str(message))
        self._showwarning(message, category, *args, **kwargs)


class _Handler(logging.Handler):
    def __init__(self, tap: WarningTap) -> None:
        super().__init__(logging.WARNING)
        self.tap = tap

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.tap.seen(record.getMessage())
        except Exception:  # a log handler must never raise into TensorFlow
            self.handleError(record)
