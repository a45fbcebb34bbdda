"""The trace store: SQLite files, one per traced process, combined into one per run."""
