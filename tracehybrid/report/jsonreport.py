"""The JSON report: the results document, reproduced from the model it was read into."""

from __future__ import annotations

import copy
import json
from typing import Any

from tracehybrid.report.model import ReportModel


def render_json(model: ReportModel) -> dict[str, Any]:
    """The results document (format 1 with its extras), as `tracehybrid run` wrote it."""
    # The model keeps the document as read, so fields this version does not know survive too.
    return copy.deepcopy(model.document)


def dumps(document: dict[str, Any]) -> str:
    """The document as text: two-space indent, keys in document order, non-ASCII kept."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
