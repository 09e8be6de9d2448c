"""The README's layout is the source tree: every module it lists imports, and every
module in ``src/goldenbridge`` is listed (so the list cannot go stale after a move)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "goldenbridge"
OPTIONAL = {
    "goldenbridge.report.plots",
    "goldenbridge.report.plots_sensitivity",
    "goldenbridge.report.plots_deterrence",
}


def listed_paths() -> list[str]:
    """Paths (relative to src/goldenbridge) of the entries in the README's layout block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Layout\n.*?```text\n(.*?)```", readme, re.S)
    assert block, "README.md has no ```text block under ## Layout"
    lines = block.group(1).splitlines()
    assert lines[0] == "src/goldenbridge/"
    stack: list[str] = []
    paths = []
    for line in lines[1:]:
        if not line.startswith(" "):
            break  # the next top-level folder (tests/, docs/, ...)
        token = line.split()[0]
        if not (token.endswith(".py") or token.endswith("/")):
            continue  # the continuation of a description
        depth = (len(line) - len(line.lstrip(" "))) // 2 - 1
        stack = stack[:depth]
        paths.append("".join(stack) + token)
        if token.endswith("/"):
            stack.append(token)
    return paths


def module_name(path: str) -> str:
    parts = [p for p in path.removesuffix(".py").split("/") if p]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["goldenbridge", *parts])


LISTED = listed_paths()
MODULES = [module_name(p) for p in LISTED if p.endswith(".py") and p != "__main__.py"]


@pytest.mark.parametrize("name", MODULES)
def test_every_listed_module_imports(name):
    if name in OPTIONAL:
        pytest.importorskip("matplotlib")
    if name.startswith("goldenbridge.web"):
        pytest.importorskip("fastapi")
    importlib.import_module(name)


def test_every_listed_path_exists():
    missing = [p for p in LISTED if not (PACKAGE / p).exists()]
    assert not missing, f"README lists paths that are not in src/goldenbridge: {missing}"


def test_every_module_is_listed():
    on_disk = {str(f.relative_to(PACKAGE)) for f in PACKAGE.rglob("*.py")}
    folders = {p for p in LISTED if p.endswith("/")}
    # A package's __init__.py may be listed by its folder alone.
    unlisted = sorted(
        f for f in on_disk if f not in LISTED and f.removesuffix("__init__.py") not in folders
    )
    assert not unlisted, f"modules missing from the README's layout: {unlisted}"


def test_group_facades_do_not_shadow_their_modules():
    """``goldenbridge.analysis.<group>.<name>`` is the module wherever a module of that
    name exists: a facade re-exporting a same-named function would hide it."""
    for group in ("optimize", "sensitivity", "update", "negotiate"):
        package = importlib.import_module(f"goldenbridge.analysis.{group}")
        for f in (PACKAGE / "analysis" / group).glob("*.py"):
            if f.stem == "__init__":
                continue
            module = importlib.import_module(f"goldenbridge.analysis.{group}.{f.stem}")
            assert getattr(package, f.stem) is module, f"analysis.{group}.{f.stem}"


def test_one_version_source():
    """``goldenbridge.__version__`` is pyproject.toml's version (read from the metadata)."""
    import tomllib

    import goldenbridge

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert goldenbridge.__version__ == project["version"]
