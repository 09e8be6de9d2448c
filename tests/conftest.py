"""Shared fixtures: no test writes to the user's real run history."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _run_history_in_tmp(tmp_path_factory, monkeypatch):
    """Every CLI run in a test saves into a scratch file (GOLDENBRIDGE_DB)."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("GOLDENBRIDGE_DB", str(folder / "runs.sqlite"))
