"""SARIF 2.1.0 for code-scanning UIs: a result per reason, rule metadata from the code registry."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from tracehybrid import codes
from tracehybrid.report.model import CodeDoc, FunctionView, ReasonView, ReportModel

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"  # the uriBaseId GitHub code scanning resolves to the repository root
_FIX_TEXT = {
    "safe": "Safe: `tracehybrid apply` writes the fix.",
    "unsafe": "Unsafe: written only with `tracehybrid apply --unsafe-fixes`.",
    "display_only": "Display only: shown as a suggestion, never written.",
}


def render_sarif(model: ReportModel) -> dict[str, Any]:
    """The SARIF log of `model` as a JSON-ready dict."""
    rule_index = {doc.code: i for i, doc in enumerate(model.codes)}
    results = [
        _result(fn, reason, rule_index[reason.code])
        for fn in model.functions
        for reason in fn.reasons
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tracehybrid",
                "version": model.tool_version or "unknown",
                "rules": [_rule(doc) for doc in model.codes],
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    root = PurePosixPath(model.project_root)
    if root.is_absolute():
        run["originalUriBaseIds"] = {ROOT_ID: {"uri": root.as_uri().rstrip("/") + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def level(fn: FunctionView, reason: ReasonView) -> str:
    """`warning` for what blocks a refactoring; `note` for what an approved one fixes or informs,
    and for a rejection that leaves nothing to change (already optimal, already a graph)."""
    if fn.verdict == "approved" or not reason.doc.blocking or fn.nothing_to_change:
        return "note"
    return "warning"


def _result(fn: FunctionView, reason: ReasonView, index: int) -> dict[str, Any]:
    path = reason.path if reason.path and reason.line else fn.path
    line = reason.line if reason.path and reason.line else fn.line
    fingerprint = hashlib.sha256(f"{fn.path}\0{fn.qualname}\0{reason.code}".encode()).hexdigest()
    return {
        "ruleId": reason.code,
        "ruleIndex": index,
        "level": level(fn, reason),
        "message": {"text": f"{fn.qualname}: {reason.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": ROOT_ID},
                    "region": {"startLine": line},
                },
                "logicalLocations": [{"fullyQualifiedName": fn.qualname, "kind": "function"}],
            }
        ],
        "partialFingerprints": {"tracehybridFunctionCode/v1": fingerprint[:32]},
        "properties": {
            "category": reason.category,
            "evidence": reason.evidence,
            "verdict": fn.verdict,
            "refactoring": fn.refactoring,
        },
    }


def _rule(doc: CodeDoc) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.why or doc.summary},
        "help": {"text": f"{doc.summary} {doc.why}".strip(), "markdown": help_markdown(doc)},
        "defaultConfiguration": {"level": "warning" if doc.blocking else "note"},
        "properties": {"category": doc.category, "tags": ["tensorflow", doc.category]},
    }
    if not doc.known:
        rule["properties"] = {"tags": ["tensorflow"]}
    return rule


def help_markdown(doc: CodeDoc) -> str:
    """The rule's help page in Markdown, as `tracehybrid explain` tells it."""
    if not doc.known:
        return doc.summary
    registered = codes.get(doc.code)
    fix = _FIX_TEXT.get(registered.fix or "", "No automatic fix.")
    return (
        f"**{doc.code} `{doc.name}`** ({doc.category})\n\n{doc.summary}\n\n{doc.why}\n\n"
        f"Example:\n\n```python\n{doc.before}\n```\n\nInstead:\n\n```python\n{doc.after}\n```\n\n"
        f"{fix}\n\nSuppress on one line with `# tracehybrid: ignore[{doc.code}]`."
    )
