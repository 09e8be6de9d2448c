"""JSON documents shared by the CLI's ``--json`` and the web API."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_safe"]


def json_safe(value: Any) -> Any:
    """The same document with NaN and infinities as ``null``: JSON has neither.

    NaN stands for "undefined" in results (e.g. the odds within a type stratum
    that no sampled world fell into).

    Examples
    --------
    >>> json_safe({"p": float("nan"), "xs": [1.0, float("inf")], "n": 3})
    {'p': None, 'xs': [1.0, None], 'n': 3}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
