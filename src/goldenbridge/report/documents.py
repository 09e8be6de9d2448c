"""JSON documents shared by the CLI's ``--json`` and the web API."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_safe", "round_numbers"]


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


def decimals(se: float) -> int:
    """The decimals a number with standard error ``se`` is rounded to: those of the
    standard error's second significant digit (0 for no finite positive ``se``).

    >>> decimals(0.0024), decimals(0.011), decimals(0.0)
    (4, 3, 0)
    """
    if not (math.isfinite(se) and se > 0):
        return 0
    return max(0, 1 - math.floor(math.log10(se)))


def _round(value: float, se: float | None = None) -> float:
    """A number to the digits that matter: to the decimal of its standard error's
    second significant digit when it has one, else 15 significant digits (so
    ``5.551115123125783e-17`` from rounding becomes 0)."""
    if not math.isfinite(value) or value == 0:
        return value
    if se is not None and math.isfinite(se) and se > 0:
        return round(value, decimals(se))
    if abs(value) < 1e-12:
        return 0.0
    return float(f"{value:.15g}")


def _round_se(se: float) -> float:
    """A standard error to two significant digits."""
    return float(f"{se:.2g}") if math.isfinite(se) else se


def round_numbers(document: Any) -> Any:
    """Every float of a JSON document rounded by :func:`_round`; a key ``x`` with a
    sibling ``x_se`` is rounded to what that standard error supports (and a mapping ``x``
    of names to numbers, name by name, with a sibling mapping ``x_se`` of the same names).

    Examples
    --------
    >>> round_numbers({"p_deal": 0.6663218, "p_deal_se": 0.0033391, "gap": 5.551115123125783e-17})
    {'p_deal': 0.6663, 'p_deal_se': 0.0033, 'gap': 0.0}
    >>> round_numbers({"p": {"a": 0.123456, "b": 0.5}, "p_se": {"a": 0.0123, "b": 0.0}})
    {'p': {'a': 0.123, 'b': 0.5}, 'p_se': {'a': 0.012, 'b': 0.0}}
    """
    if isinstance(document, dict):
        out: dict[str, Any] = {}
        for key, value in document.items():
            se = document.get(f"{key}_se") if isinstance(key, str) else None
            if isinstance(value, float) and isinstance(se, float):
                out[key] = _round(value, se)
            elif isinstance(value, dict) and isinstance(se, dict) and se.keys() == value.keys():
                out[key] = {k: round_numbers({k: v, f"{k}_se": se[k]})[k] for k, v in value.items()}
            elif isinstance(value, float) and isinstance(key, str) and key.endswith("_se"):
                out[key] = _round_se(value)
            elif isinstance(value, dict) and isinstance(key, str) and key.endswith("_se"):
                out[key] = {
                    k: _round_se(v) if isinstance(v, float) else v for k, v in value.items()
                }
            else:
                out[key] = round_numbers(value)
        return out
    if isinstance(document, list | tuple):
        return [round_numbers(v) for v in document]
    if isinstance(document, float):
        return _round(document)
    return document
