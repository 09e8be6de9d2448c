"""The run history: every analysis run stored in SQLite, listed, compared and rerun."""

from goldenbridge.history.compare import (
    Moved,
    RunDiff,
    changed_leaves,
    diff_runs,
    headline_numbers,
)
from goldenbridge.history.store import (
    ENV_VAR,
    SCHEMA_VERSION,
    HistoryError,
    Run,
    RunStore,
    default_path,
    scenario_hash,
)

__all__ = [
    "ENV_VAR",
    "SCHEMA_VERSION",
    "HistoryError",
    "Moved",
    "Run",
    "RunDiff",
    "RunStore",
    "changed_leaves",
    "default_path",
    "diff_runs",
    "headline_numbers",
    "scenario_hash",
]
