"""The compromise model: the capability x salience weighted mean of the positions.

``x* = sum_i c_i s_i x_i / sum_i c_i s_i`` (van den Bos 1991; Achen 2006, "Evaluating
political decision-making models", in Thomson et al., *The European Union Decides*,
ch. 10, which derives it as the Nash bargaining solution of actors with quadratic
losses). Hard to beat on the DEU data (Thomson et al. 2006, ch. 11; Arregui &
Perarnaud 2021).
"""

from __future__ import annotations

import numpy as np

__all__ = ["compromise"]


def compromise(position: np.ndarray, weight: np.ndarray) -> float:
    """The weighted mean of ``position`` (NaN when every weight is 0).

    Examples
    --------
    >>> compromise(np.array([0.0, 100.0]), np.array([3.0, 1.0]))
    25.0
    """
    total = float(np.sum(weight))
    if total <= 0:
        return float("nan")
    return float(np.dot(weight, position) / total)
