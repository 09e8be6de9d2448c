"""Every example command in the README and the docs runs on the install it names (issue 16).

Each command runs in a fresh process on the *base* install: the optional
dependencies (SALib, matplotlib, httpx, FastAPI, uvicorn, Dask) are made
unimportable by a ``sitecustomize`` that refuses them. A command must then exit 0,
or exit 2 with one line that names what to install or what is wrong: never a
traceback, and never after the work (the check comes first, so it is quick).
Analysis commands get ``--samples 400`` appended to keep the suite fast; the
timing tools (``bench``) are measured by their own tests and skipped here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = ("SALib", "matplotlib", "httpx", "fastapi", "uvicorn", "distributed", "plotly")
SAMPLED = {"demo", "evaluate", "optimize", "sensitivity", "update", "negotiate", "deterrence"}
#: Commands that solve the talks game (``update`` reads a rejection with ``negotiate``'s
#: equilibrium): 12-110 s each even on 400 worlds, so marked slow (run in CI).
TALKS = {"negotiate", "update"}
BLOCKER = f"""
import importlib.abc, sys
class _Base(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {OPTIONAL!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _Base())
"""


def example_commands() -> list[tuple[str, str]]:
    """(where, command) for each example command line in README.md and docs/*.md; a command
    shown in several places runs once (``where`` names them all)."""
    found: dict[str, list[str]] = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        blocks = re.findall(r"^```(\w*)\n(.*?)^```", path.read_text(), re.S | re.M)
        for _, block in (b for b in blocks if b[0] in ("", "text", "bash", "sh", "console")):
            for line in block.splitlines():
                line = line.strip().removeprefix("$ ")
                if "&&" in line or not re.match(r"(goldenbridge|python -m goldenbridge)\b", line):
                    continue
                command = line.split("  #")[0].split(" # ")[0].strip()
                if re.search(r"\b[A-Z]{3,}\b|\[", command):  # a synopsis, not an example
                    continue
                found.setdefault(command, []).append(path.name)
    return [(", ".join(dict.fromkeys(where)), command) for command, where in found.items()]


EXAMPLES = example_commands()


def test_the_docs_have_example_commands():
    assert len(EXAMPLES) >= 15
    assert any("sensitivity" in c for _, c in EXAMPLES) and any("serve" in c for _, c in EXAMPLES)


def _marked(where: str, command: str):
    words = command.split()
    slow = len(words) > 1 and words[1] in TALKS
    return pytest.param(where, command, id=command, marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize(("where", "command"), [_marked(w, c) for w, c in EXAMPLES])
def test_example_runs_on_the_base_install(where, command, tmp_path):
    argv = shlex.split(command)
    if argv[0] == "goldenbridge":
        argv = [sys.executable, "-m", "goldenbridge", *argv[1:]]
    else:
        argv = [sys.executable, *argv[1:]]
    words = command.split()
    if "bench" in words or "goldenbridge.bench" in words:
        pytest.skip("timing tool, measured by tests/test_bench.py")
    name = words[1] if words[0] == "goldenbridge" else ""
    if name in SAMPLED and "--samples" not in words and "-n" not in words:
        argv += ["--samples", "400"]
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    (tmp_path / "blocker").mkdir()
    (tmp_path / "blocker" / "sitecustomize.py").write_text(BLOCKER)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "blocker"), str(ROOT / "src")]),
        "COLUMNS": "120",
    }
    result = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    shown = f"{where}: {command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, shown
    if result.returncode == 0:
        return
    if "--json" in words:  # the error is one JSON document on stdout
        assert result.returncode == 2 and "error" in json.loads(result.stdout), shown
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    # exit 2 with one line naming what to install or what is wrong (a file an earlier
    # step of the docs writes, a run id of the reader's own history)
    assert result.returncode == 2 and len(errors) == 1, shown
