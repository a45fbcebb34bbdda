"""Refuse to merge shards that are not parts of one run: other source, tool, command or tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracehybrid import __version__
from tracehybrid.errors import DataError, UsageError
from tracehybrid.results.document import file_hashes
from tracehybrid.shards.folder import ShardRun
from tracehybrid.store.reader import open_store

#: The options that pick a shard's part of the suite: the rest of the command must be equal.
#: pytest-split's `--group i` (`--splits N` is the same in all shards), pytest-shard's `--shard-id`.
SHARD_OPTIONS = ("--group", "--shard-id")


def check_one_run(shards: list[ShardRun], root: Path, out: Path) -> None:
    """Raise a one-line error naming the first difference that makes SHARDS no parts of one run
    of the checkout at ROOT, or OUT a folder that would replace one of them."""
    for shard in shards:
        if shard.run_dir.path == out.resolve():
            raise UsageError(f"--out {out} is {shard.label}; give the merged run its own folder")
    first = shards[0]
    for shard in shards[1:]:
        if shard.run_dir.path == first.run_dir.path:
            raise UsageError(f"{shard.label} is given twice (as shard {first.index} too)")
    for shard in shards:
        _same_tool(shard)
    for shard in shards[1:]:
        _same_source(first, shard)
        _same_config(first, shard)
        _same_command(first, shard)
    for shard in shards:
        check_checkout(shard, root)
    _disjoint_tests(shards)


def _same_tool(shard: ShardRun) -> None:
    version = shard.results.get("tool", {}).get("version")
    if version != __version__:
        raise DataError(
            f"{shard.label} was made by tracehybrid {version}, this is {__version__}: "
            "run every shard and the merge with one version"
        )


def _same_source(first: ShardRun, shard: ShardRun) -> None:
    """The files both recorded: `files` holds the candidates' files, and a function can be a
    candidate in one shard only (the tests there passed it a tensor)."""
    ours, theirs = first.results.get("files", {}), shard.results.get("files", {})
    for path in sorted(set(ours) & set(theirs)):
        if ours.get(path) != theirs.get(path):
            raise DataError(
                f"{shard.label} ran on other source than shard {first.index}: {path} is "
                f"{_short(theirs.get(path))} there, {_short(ours.get(path))} in shard "
                f"{first.index}; merge only the shards of one commit"
            )


def check_checkout(shard: ShardRun, root: Path) -> None:
    """The merge recomputes the static facts here, so the checkout must be the shards' commit."""
    recorded: dict[str, str] = shard.results.get("files", {})
    here = file_hashes(root, set(recorded))
    for path in sorted(recorded):
        if here.get(path) != recorded[path]:
            raise DataError(
                f"{root / path} differs from the file the shards ran on "
                f"({_short(here.get(path))} here, {_short(recorded[path])} there): "
                "run the merge in a checkout of the shards' commit"
            )


def _same_config(first: ShardRun, shard: ShardRun) -> None:
    """run.json's `config`, where the run recorded it: the settings the verdicts depend on."""
    ours: dict[str, Any] = first.record.get("config") or {}
    theirs: dict[str, Any] = shard.record.get("config") or {}
    for key in sorted(set(ours) | set(theirs)):
        if ours.get(key) != theirs.get(key):
            raise DataError(
                f"{shard.label} ran with {key} = {theirs.get(key)!r}, shard {first.index} with "
                f"{ours.get(key)!r}; merge only shards of one configuration"
            )


def _same_command(first: ShardRun, shard: ShardRun) -> None:
    ours, theirs = without_shard_options(first.command), without_shard_options(shard.command)
    if ours != theirs:
        raise DataError(
            f"{shard.label} ran `{' '.join(shard.command)}`, shard {first.index} "
            f"`{' '.join(first.command)}`: only the shard selection may differ"
        )


def without_shard_options(cmd: list[str]) -> list[str]:
    """CMD without the options (and their values) that select a shard's part of the suite."""
    kept: list[str] = []
    skip = False
    for part in cmd:
        if skip:
            skip = False
        elif part in SHARD_OPTIONS:
            skip = True
        elif not part.startswith(tuple(f"{option}=" for option in SHARD_OPTIONS)):
            kept.append(part)
    return kept


def shard_tests(shard: ShardRun) -> set[str]:
    """The nodeids of the tests the shard's traced run ran."""
    with open_store(shard.run_dir.combined_store) as conn:
        return {row[0] for row in conn.execute("SELECT nodeid FROM test WHERE nodeid != ''")}


def _disjoint_tests(shards: list[ShardRun]) -> None:
    """Each test in one shard only: a shard given twice, or two runs of one group, would count
    its tests twice and no whole-suite run does that."""
    seen: dict[str, int] = {}
    for shard in shards:
        for nodeid in sorted(shard_tests(shard)):
            if nodeid in seen:
                raise DataError(
                    f"{shard.label} and shard {seen[nodeid]} both ran {nodeid}: "
                    "give each shard once (are two shards the same --group?)"
                )
            seen[nodeid] = shard.index


def _short(digest: str | None) -> str:
    return "absent" if digest is None else f"sha256 {digest[:12]}"
