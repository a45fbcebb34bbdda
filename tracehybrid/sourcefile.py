"""A project source file as every stage reads it: its bytes' hash, its text as Python decodes it."""

from __future__ import annotations

import hashlib
import io
import tokenize


def sha256_hex(data: bytes) -> str:
    """The content hash results.json records for a file: sha256 of its bytes, lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def source_encoding(data: bytes) -> str:
    """The encoding Python itself would use: BOM (``utf-8-sig``), coding cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding


def decode_source(data: bytes) -> str:
    """Decode without translating line endings, so CRLF survives the round trip.

    Raises ``SyntaxError`` for an unknown cookie and ``UnicodeDecodeError`` for bad bytes.
    """
    return data.decode(source_encoding(data))
