"""The start-up both tracehybrid pytest plugins share: option or env var, never a failed run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tracehybrid.errors import PluginWarning

if TYPE_CHECKING:  # the tracer island imports this module: pytest is already loaded there
    import pytest

__all__ = ["start_plugin"]


def start_plugin[Started](
    early_config: pytest.Config,
    option: str,
    start: Callable[[Path | None], Started | None],
    what: str,
) -> Started | None:
    """START called with the file the command-line OPTION names (None: START reads its env var).

    A plugin runs inside the user's own test command, so a failure to start is a
    PluginWarning naming WHAT could not start, and the tests run as they would without it.
    """
    try:
        value = getattr(early_config.known_args_namespace, option)
        return start(Path(value) if value else None)
    except Exception as exc:
        warning = PluginWarning(f"tracehybrid could not start {what}: {exc}")
        early_config.issue_config_time_warning(warning, stacklevel=1)
        return None
