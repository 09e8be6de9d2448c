"""The examples in the docs are complete scenarios: load and evaluate each one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import goldenbridge as gb
from goldenbridge.scenario import read_text

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCKS = [
    (path.name, i, block)
    for path in sorted(DOCS.glob("*.md"))
    for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S))
]


@pytest.mark.parametrize(("doc", "index", "text"), BLOCKS, ids=[f"{d}-{i}" for d, i, _ in BLOCKS])
def test_yaml_examples_load_and_evaluate(doc, index, text):
    scenario = read_text(text, f"{doc}#{index}")
    result = gb.evaluate(scenario, samples=2000)
    assert result.offers and all(0 <= o.p_deal <= 1 for o in result.offers)


def test_docs_have_examples():
    assert len([b for b in BLOCKS if b[0] == "scenario-format.md"]) >= 3
