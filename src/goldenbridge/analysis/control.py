"""The control variate of a veto's gain: its exact population mean (docs/design.md 4b).

Where no field of veto ``j`` moves the target, the gain of offering ``x`` in a pair of
worlds is ``a (u_j(x) - U0) + g (W - U0)``; with the war's outcomes at fixed reference
points its mean over every partner is a few population sums per offer, and only the
residual ``g (W - W_ref)`` is left to bin (:mod:`goldenbridge.engine.binned`).
:func:`target_sums` holds the sums of the target's choice, the same for every veto, so
:func:`goldenbridge.analysis.outcomes.decide` finds them once per piece of offers.
"""

from __future__ import annotations

import numpy as np

from goldenbridge.engine.choice import target_choice
from goldenbridge.population import Population

__all__ = ["control_mean", "target_sums"]


def target_sums(
    population: Population,
    offered: np.ndarray,
    u_target: np.ndarray,
    choice: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, ...]:
    """What :func:`control_mean` needs of the target's choice, the same for every veto:
    ``g`` (N, M) and the normalised sums ``E[a]``, ``E[g]``, ``E[g p]``, ``E[g (1 - p)]``
    (M,). ``choice``: ``target_choice``'s (accept, war_if_rejected) with every package
    offered, if known (elementwise, so only the columns that offer nothing are computed
    again, as offering nothing)."""
    t = population.actor_names.index(population.scenario.target.name)

    def choose(cols: np.ndarray | slice, offers: np.ndarray | bool) -> tuple[np.ndarray, ...]:
        return target_choice(
            u_target[:, cols],
            population.status_quo_u[:, t, None],
            population.war_value[:, t, None],
            population.backing_down[:, None],
            population.pretext[:, None],
            population.face[:, None],
            offers,
        )

    if choice is None:
        accept, war_rejected = choose(slice(None), offered[None, :])
    else:
        nothing = np.flatnonzero(~offered)
        accept, war_rejected = choice[0].copy(), choice[1].copy()
        accept[:, nothing], war_rejected[:, nothing] = choose(nothing, False)
    g = (~accept & war_rejected).astype(np.float64) - population.worlds.fight[:, None]
    w = population.worlds.weights
    total = w.sum()
    p = population.p_win
    e_a = (w @ accept) / total
    e_g, e_gp = (w @ g) / total, ((w * p) @ g) / total
    e_g1p = ((w * (1 - p)) @ g) / total
    return g, e_a, e_g, e_gp, e_g1p


def control_mean(
    population: Population,
    parts: dict,
    offered: np.ndarray,
    u_target: np.ndarray,
    u_own: np.ndarray,
    sums: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(N, M): the exact population mean of the control variate of
    :func:`~goldenbridge.engine.choice.gain_from_parts` for each world's own fields; and
    (N, M) ``g`` of each world (below).

    The gain in a pair is ``a (u_j(x) - U0) + g (W - U0)`` with ``g = (1 - a) fr - f0``
    (a: the target accepts; fr, f0: it fights after a rejection / when nothing is
    offered; U0 = u_j(sq); W j's war value). With the war's outcomes at fixed reference
    points ``W`` splits into j's fields times the partner's, so its mean is a few
    population sums per offer (docs/design.md 4b): only ``g (W - W_ref)`` is sampled.
    Valid when no field of j moves the target. ``sums``: :func:`target_sums`, if known
    (the same for every veto).
    """
    g, e_a, e_g, e_gp, e_g1p = target_sums(population, offered, u_target) if sums is None else sums
    w = population.worlds.weights
    total = w.sum()
    e_gt = ((w * parts["against"]) @ g) / total
    u0 = parts["own_sq"][:, None]
    own = (parts["base_cost"] + parts["own_threat"])[:, None]
    computed = (
        (parts["u_win_ref"][:, None] - u0) * e_gp
        + (parts["u_lose_ref"][:, None] - u0) * e_g1p
        - own * e_g
    )
    direct = parts["direct"][:, None]
    given = (direct - parts["own_threat"][:, None] - u0) * e_g
    war_part = np.where(np.isnan(direct), computed, given) - e_gt
    return (u_own - u0) * e_a + war_part, g
