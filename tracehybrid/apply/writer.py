"""Write source files safely: their encoding and line endings kept, replaced atomically."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from tracehybrid.sourcefile import source_encoding

_BARE_LF = re.compile(r"(?<!\r)\n")


def match_line_endings(text: str, original: bytes) -> str:
    """Give `text` CRLF endings when every line of `original` had them; leave mixed files alone."""
    crlf = original.count(b"\r\n")
    if crlf and crlf == original.count(b"\n"):
        return _BARE_LF.sub("\r\n", text)
    return text


def write_atomically(path: Path, new_text: str, original_bytes: bytes) -> None:
    """Replace `path` with `new_text` so that readers see the old file or the new one, never half.

    The text is encoded as `original_bytes` was (cookie or BOM), keeps its CRLF endings, and the
    file keeps its permission bits. A symbolic link stays a link: its target is replaced. On any
    error the temporary file is removed and the original is untouched.
    """
    target = path.resolve()
    data = match_line_endings(new_text, original_bytes).encode(source_encoding(original_bytes))
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tracehybrid-tmp"
    )
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fchmod(temp.fileno(), mode)
            os.fsync(temp.fileno())
        temp_path.replace(target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
