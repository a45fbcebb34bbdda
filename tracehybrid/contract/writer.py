"""Write results.json (and the run's other JSON records) atomically: whole, or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json_atomically(path: Path, document: dict[str, Any]) -> Path:
    """Write JSON to a temporary file in PATH's folder, then rename it over PATH: a reader sees
    the old file or the new one, never half; on any error the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
            handle.write("\n")
        Path(temp).replace(path)  # os.replace: atomic within one folder
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
