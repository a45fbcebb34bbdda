"""`# tracehybrid: ignore[CODE]` comments: which lines switch off which findings."""

from __future__ import annotations

import re

SUPPRESS = re.compile(r"#\s*tracehybrid:\s*ignore(?:\[([A-Za-z0-9_,\s-]*)\])?")


def find_suppressions(source: str) -> dict[int, frozenset[str]]:
    """Lines with `# tracehybrid: ignore[CODE,...]`; an empty set suppresses every code."""
    if "tracehybrid:" not in source:
        return {}
    found: dict[int, frozenset[str]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        if "tracehybrid:" in line:
            match = SUPPRESS.search(line)
            if match is not None:
                listed = match.group(1) or ""
                found[number] = frozenset(c.strip().upper() for c in listed.split(",") if c.strip())
    return found
