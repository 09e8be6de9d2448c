"""Every relative link in the README, CONTRIBUTING, CHANGELOG and docs/*.md points at a file
that exists, and every ``#anchor`` (``](#x)``, ``](performance-log.md#x)``) at a heading of
its file, by GitHub's slugs: a section renamed or moved to another file (docs/performance.md's
history went to docs/performance-log.md) must take its links along."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
FILES += sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def slugs(path: Path) -> set[str]:
    """GitHub's anchors for the headings of ``path``: lower case, punctuation dropped,
    spaces as hyphens, ``-1``, ``-2`` ... for repeats."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    found = set()
    for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.M):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = counts.get(slug, 0)
        found.add(slug if n == 0 else f"{slug}-{n}")
        counts[slug] = n + 1
    return found


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [t for t in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_links_resolve(path):
    broken = []
    for target in links(path):
        name, _, anchor = target.partition("#")
        dest = (path.parent / name).resolve() if name else path
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md" and anchor not in slugs(dest):
            broken.append(target)
    assert not broken, f"{path.name}: {broken}"


def test_slugs_follow_github():
    assert "speed-targets--met-or-not" in slugs(ROOT / "docs" / "performance.md")
    assert "memory-at-n--106-m--104-k--8" in slugs(ROOT / "docs" / "performance.md")
