"""Start tracing at interpreter start-up for any Python process whose environment asks for it.

`run_traced` puts `_site/` on PYTHONPATH; its `sitecustomize` calls `start_from_env`, so `python
train.py` and the Python subprocesses it starts are traced the way `coverage run` traces them.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from pathlib import Path

from tracehybrid.runtime.candidates import CANDIDATES_ENV
from tracehybrid.runtime.collector import FLUSH_INTERVAL_S, Collector, start_collector

SITE_DIR = str(Path(__file__).resolve().parent / "_site")
_STOP = threading.Event()


def _flush_periodically(collector: Collector) -> None:
    # Scripts have no test boundaries to flush at; this bounds what a crash can lose.
    main = threading.main_thread()
    while not _STOP.wait(FLUSH_INTERVAL_S) and main.is_alive():
        collector.flush()


def start_from_env() -> Collector | None:
    """Start the collector when TRACEHYBRID_CANDIDATES is set; never raises."""
    if not os.environ.get(CANDIDATES_ENV):
        return None
    try:
        collector = start_collector()
    except Exception as exc:
        sys.stderr.write(f"tracehybrid: not tracing this process: {exc}\n")
        return None
    if collector is not None:
        thread = threading.Thread(target=_flush_periodically, args=(collector,), daemon=True)
        thread.name = "tracehybrid-flush"
        thread.start()
    return collector


def chain_next_sitecustomize() -> None:
    """Run the sitecustomize our `_site/` shadows (a distribution's or a virtualenv's), if any."""
    saved = sys.path[:]
    ours = sys.modules.pop("sitecustomize", None)
    try:
        sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != SITE_DIR]
        importlib.import_module("sitecustomize")  # the next one on the path
    except ImportError:
        pass
    except Exception as exc:
        sys.stderr.write(f"tracehybrid: the chained sitecustomize failed: {exc}\n")
    finally:
        sys.path[:] = saved
        if ours is not None:
            sys.modules["sitecustomize"] = ours
