"""DDL of the trace store and its version. Change SCHEMA_VERSION with every change to the DDL.

Version history:
    1: first version: meta, candidate, test, signature, call_count, call_record, effect, prediction.
    2: exact cross-process predictions: collected (a process's pytest collection order),
       replay_function and replay_sample (TF-free replay specs of the predictor's samples);
       `combine` writes ONE prediction per candidate with source 'combined'.
"""

from __future__ import annotations

SCHEMA_VERSION = 2

PROCESS_STORE_PREFIX = ".tracehybrid."  # + <host>.<pid>.<random>: one file per traced process
COMBINED_STORE_NAME = "trace.db"  # what `combine` writes into the output directory
COMBINED_SOURCE = "combined"  # prediction.source of the one answer `combine` gives per candidate

# Row ids (candidate.id, test.id, signature.ordinal) are local to one file; combine re-maps them.
# test.id 0 is the pseudo-test "" for calls made outside any test (imports, collection, scripts).
DDL = """
CREATE TABLE IF NOT EXISTS schema (version INTEGER NOT NULL);

-- tool_version, schema_version, argv (JSON), python, tensorflow, host, pid, started, flushed,
-- tool_id, callback_failures, sources (JSON list of combined files),
-- complete ("1" after a clean stop)
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS candidate (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    qualname TEXT NOT NULL,
    line INTEGER NOT NULL,
    first_line INTEGER NOT NULL,
    kind TEXT NOT NULL,                -- eager | hybrid
    overflow_calls INTEGER NOT NULL DEFAULT 0,  -- calls whose signature came after the cap
    UNIQUE (path, qualname, first_line)
);

CREATE TABLE IF NOT EXISTS test (
    id INTEGER PRIMARY KEY,
    nodeid TEXT NOT NULL UNIQUE,
    outcome TEXT                       -- passed failed error skipped xfailed xpassed; NULL unknown
);

CREATE TABLE IF NOT EXISTS signature (
    candidate_id INTEGER NOT NULL REFERENCES candidate (id),
    ordinal INTEGER NOT NULL,          -- first-seen order within the candidate (0: over the cap)
    description TEXT NOT NULL,         -- e.g. "x: tensor float32[8], lr: float=0.01"
    PRIMARY KEY (candidate_id, ordinal)
);

-- Exact counts. mode: eager | graph | autograph | trace (see tracehybrid.runtime.state).
CREATE TABLE IF NOT EXISTS call_count (
    candidate_id INTEGER NOT NULL REFERENCES candidate (id),
    signature INTEGER NOT NULL,       -- signature.ordinal
    test_id INTEGER NOT NULL REFERENCES test (id),
    mode TEXT NOT NULL,
    calls INTEGER NOT NULL,
    raised INTEGER NOT NULL,           -- calls that ended with an exception
    total_ns INTEGER NOT NULL,
    min_ns INTEGER NOT NULL,
    max_ns INTEGER NOT NULL,
    PRIMARY KEY (candidate_id, signature, test_id, mode)
);

-- Individual calls, capped per candidate and per signature.
CREATE TABLE IF NOT EXISTS call_record (
    candidate_id INTEGER NOT NULL REFERENCES candidate (id),
    signature INTEGER NOT NULL,       -- signature.ordinal
    test_id INTEGER NOT NULL REFERENCES test (id),
    mode TEXT NOT NULL,
    wall_ns INTEGER NOT NULL,
    raised INTEGER NOT NULL
);

-- Effects seen while a candidate (or project code it calls) ran; kinds: runtime/effects.py.
CREATE TABLE IF NOT EXISTS effect (
    candidate_id INTEGER NOT NULL REFERENCES candidate (id),
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    test_id INTEGER NOT NULL REFERENCES test (id),
    detail TEXT NOT NULL,              -- the callable, e.g. "builtins.print", "EagerTensor.numpy"
    count INTEGER NOT NULL,
    PRIMARY KEY (candidate_id, kind, path, line, test_id, detail)
);

-- The trace-key predictor's answer per candidate. In a process store: from that process's eager
-- samples. In a combined store: one row with source 'combined' (all processes' samples replayed in
-- serial order), plus the per-process rows only when that combined answer is unknown.
CREATE TABLE IF NOT EXISTS prediction (
    candidate_id INTEGER NOT NULL REFERENCES candidate (id),
    source TEXT NOT NULL,              -- the process store it was computed in, or 'combined'
    traces_plain INTEGER,
    traces_reduce_retracing INTEGER,
    traces_signature INTEGER,
    untraceable TEXT,                  -- why tf.function would raise on a recorded call, or NULL
    explanations TEXT NOT NULL,        -- JSON list of retrace explanations
    detail TEXT NOT NULL,              -- JSON of the whole prediction, or {"error": ...}
    PRIMARY KEY (candidate_id, source)
);

-- The pytest collection order this process saw (session.items); empty outside pytest.
CREATE TABLE IF NOT EXISTS collected (
    position INTEGER PRIMARY KEY,
    nodeid TEXT NOT NULL
);

-- What `combine` needs to re-run the predictor without the process: the function's parameters
-- and the samples, as replay specs (JSON; format: tracehybrid/tracekeys/specs.py).
CREATE TABLE IF NOT EXISTS replay_function (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidate (id),
    function TEXT NOT NULL,            -- [qualname, [[name, kind, has_default, default], ...]]
    input_signature TEXT               -- a user-given signature (hybrid candidates), or NULL
);

CREATE TABLE IF NOT EXISTS replay_sample (
    candidate_id INTEGER NOT NULL REFERENCES candidate (id),
    position INTEGER NOT NULL,         -- first-seen order of the sample in this store
    signature INTEGER NOT NULL,        -- signature.ordinal of the call it was taken from
    test TEXT,                         -- nodeid of its first test; NULL: from call_count (process)
    call TEXT NOT NULL,                -- [[arg specs], [[name, spec], ...]]
    PRIMARY KEY (candidate_id, position)
);
"""

TABLES = (
    "meta",
    "candidate",
    "test",
    "signature",
    "call_count",
    "call_record",
    "effect",
    "prediction",
    "collected",
    "replay_function",
    "replay_sample",
)
