"""Start-up: ``goldenbridge --version`` and ``import goldenbridge`` import nothing heavy;
the lazily imported facade keeps its names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
HEAVY = ("numpy", "numba", "pydantic", "scipy", "typer", "rich", "yaml")


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )
    return done.stdout


def test_version_imports_nothing_heavy():
    out = run_python(
        "import sys; sys.argv = ['goldenbridge', '--version']\n"
        "from goldenbridge.cli import main\n"
        "main()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    version, heavy = out.splitlines()
    assert version.startswith("goldenbridge ") and heavy == "[]"


def test_version_matches_the_typer_command():
    from typer.testing import CliRunner

    import goldenbridge as gb
    from goldenbridge.cli import app

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"goldenbridge {gb.__version__}"
    fast = subprocess.run(
        [sys.executable, "-m", "goldenbridge", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )
    assert fast.stdout == res.output


def test_facade_names_survive_submodule_imports():
    # goldenbridge.population is both a submodule and the facade's function.
    out = run_python(
        "import goldenbridge as gb, sys\n"
        "import goldenbridge.population\n"
        "assert 'numpy' in sys.modules  # the submodule itself is heavy\n"
        "print(callable(gb.population), type(gb.population).__name__)\n"
        "from goldenbridge import Scenario, evaluate\n"
        "import goldenbridge.population as p\n"
        "print(p is gb.population, sorted(set(gb.__all__) - set(dir(gb))))\n"
    )
    assert out.splitlines() == ["True function", "True []"]


def test_commands_import_neither_scipy_stats_nor_scipy_optimize():
    """Every command imports every command module and the facade; scipy.stats and
    scipy.optimize (1.4 s of CPU together) are imported only by the analyses that use them."""
    out = run_python(
        "import sys\n"
        "import goldenbridge as gb\n"
        "from goldenbridge.cli import app\n"
        "gb.evaluate, gb.optimize, gb.sensitivity\n"
        "print(sorted(m for m in ('scipy.stats', 'scipy.optimize') if m in sys.modules))\n"
    )
    assert out.strip() == "[]"
