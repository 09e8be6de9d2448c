"""The skimming equilibrium of one-sided offers without commitment, on arrays.

This is the array-level core of :mod:`goldenbridge.analysis.negotiate.dynamics` (docs/design.md
section 6, "dynamics"): it knows offers only as indices ``j = 0 .. G-1`` on a grid
along a concession path and the target only as *types*, and it never sees a
scenario.

The game (a finite-horizon version of the screening games of Sobel & Takahashi
1983 and Fudenberg, Levine & Tirole 1985; Fudenberg & Tirole 1991, ch. 10)
--------------------------------------------------------------------------
- A type ``k`` is the first grid offer its worlds accept, ``theta_k`` (``G`` =
  none on the path), and what a war costs it, ``loss_k <= 0``. Its gain from a
  deal at offer ``j`` over its no-deal value is ``phi[j] - phi[theta_k]`` for a
  common non-decreasing scale ``phi``; a war (its own attack or the pretext)
  gives it ``loss_k`` (0 where war is its no-deal outcome anyway).
- Rounds ``t = 0 .. T-1``: the proposer offers ``j``; the target accepts,
  attacks or waits. A deal or a war ends the game. While the target waits, war
  breaks out anyway with probability ``h`` (the pretext hazard); surviving
  payoffs are discounted by ``delta`` per round. After the last round the
  no-deal rule applies: gain 0 for both sides.
- Waiting a round is worth ``h loss_k + beta V`` with ``beta = delta (1 - h)``
  and ``V`` the type's value of the next round. A type that would fight
  (``loss_k = 0``) is indifferent between attacking and waiting when no deal
  lies ahead; it then attacks at once (a lexicographic tie-break that changes no
  payoff). A type with ``loss_k < 0`` never attacks.
- The proposer's gain from a deal with type ``k`` at ``j`` and its loss from a
  hazard war are weighted sums over that type's worlds (``deal_gain[k, j]``,
  ``hazard_loss[k]``): per-world payoffs enter exactly.

Equilibrium. Given any continuation, a type accepts ``j`` iff its gain is at
least its continuation value, ``phi[j] - phi[theta] >= h loss + beta V``; the
difference decreases in ``theta`` and increases in ``loss`` (single crossing), so
with types ordered by threshold and, within a threshold, by loss (most to lose
from a war first), the types that accept in a round are the lowest remaining
ones: the proposer's belief after rejections is a truncation and its state is the
number ``c`` of types already gone. (Across thresholds the two orders can
disagree; the reported ``gap`` then shows it.) The
cutoff ``c'`` after offer ``j`` is a fixed point -- the types below it accept
given the proposer's equilibrium continuation *from* ``c'`` and the types from
``c'`` on wait -- the cutoff condition of the two-period example of Fudenberg &
Tirole (1991, ch. 10), applied round by round. Backward induction over ``(t, c)``
then gives the proposer's offer in every state, on and off the equilibrium path.
Where several cutoffs are
consistent, the largest is taken (ties accept, docs/design.md section 4). With finitely
many types a consistent cutoff need not exist (the finite-type equilibria of
Fudenberg, Levine & Tirole 1985 then mix); the solver then takes the cutoff with
the smallest incentive violation. ``gap`` reports, for the chosen cutoff, the
largest gain in units of ``phi`` that any type could get by switching between
accepting and waiting there (0 in an exact equilibrium).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from goldenbridge.scenario.errors import InputError

__all__ = ["ScreeningGame", "Equilibrium", "solve", "respond", "WAIT", "ACCEPT", "ATTACK", "DONE"]

#: Per-round action codes of :func:`respond` (``DONE``: the game already ended
#: in that world by a deal or the target's attack).
WAIT, ACCEPT, ATTACK, DONE = 0, 1, 2, 3


def loss_class(loss: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The class of a war's cost: ``0 .. len(edges)`` for a loss below 0 (cut at the
    ascending ``edges``), ``len(edges) + 1`` for a world that would fight (loss 0)."""
    loss = np.asarray(loss, dtype=np.float64)
    return np.where(loss < 0, np.searchsorted(edges, loss, side="right"), len(edges) + 1)


@dataclass(frozen=True)
class ScreeningGame:
    """The target's types and what each is worth to the proposer.

    A type is a threshold and a class of war cost; types are ordered by threshold,
    then by class (most to lose from a war first).

    Attributes
    ----------
    phi : (G,) float64
        The target's gain scale along the grid, non-decreasing.
    theta : (K,) int64
        Each type's first accepted grid offer (``G`` = none).
    loss_class : (K,) int64
        Each type's class of war cost (see :func:`loss_class`).
    loss : (K,) float64
        The type's gain from a war over its no-deal value (<= 0; 0 where it would
        fight): the mean over its worlds.
    mass : (K,) float64
        Weight of the type's worlds (> 0).
    deal_gain : (K, G) float64
        Sum over the type's worlds of ``w_n * (proposer's payoff of a deal at j
        minus its no-deal value)``; 0 where a veto blocks the deal.
    hazard_loss : (K,) float64
        Sum over the type's worlds of ``w_n * (proposer's war value minus its
        no-deal value)``: what a war costs the proposer there.
    loss_edges : (B - 1,) float64
        The edges that cut war costs into classes.
    """

    phi: np.ndarray
    theta: np.ndarray
    loss_class: np.ndarray
    loss: np.ndarray
    mass: np.ndarray
    deal_gain: np.ndarray
    hazard_loss: np.ndarray
    loss_edges: np.ndarray

    @property
    def grid(self) -> int:
        """Number of offers G."""
        return int(self.phi.shape[0])

    @classmethod
    def by_threshold(
        cls,
        phi: np.ndarray,
        mass: np.ndarray,
        deal_gain: np.ndarray,
        hazard_loss: np.ndarray,
    ) -> ScreeningGame:
        """Types indexed by threshold ``0 .. G`` (rows of mass 0 dropped), every type
        fighting (loss 0)."""
        theta = np.flatnonzero(np.asarray(mass) > 0).astype(np.int64)
        return cls(
            phi=np.asarray(phi, dtype=np.float64),
            theta=theta,
            loss_class=np.ones(theta.size, dtype=np.int64),
            loss=np.zeros(theta.size),
            mass=np.asarray(mass, dtype=np.float64)[theta],
            deal_gain=np.asarray(deal_gain, dtype=np.float64)[theta],
            hazard_loss=np.asarray(hazard_loss, dtype=np.float64)[theta],
            loss_edges=np.zeros(0),
        )


@dataclass(frozen=True)
class Equilibrium:
    """The proposer's strategy and the target's cutoffs in every state.

    Attributes
    ----------
    theta : (K,) int64
        The types' thresholds (grid index of the first accepted offer).
    loss : (K,) float64
        The types' gains from a war.
    keys : (K,) int64
        ``theta * (len(loss_edges) + 2) + loss_class``: the types' order.
    loss_edges : (B - 1,) float64
        The war-cost class edges of the game.
    offer : (T, K + 1) int64
        The proposer's offer in round t when the c lowest types are gone.
    cutoff : (T, K + 1, G) int64
        The state after offer j in state (t, c): types ``c .. cutoff-1`` accept.
    value : (T + 1, K + 1) float64
        The proposer's equilibrium gain (unnormalised weighted sum over the
        remaining worlds) from state (t, c) on.
    paths : (T + 1, K + 1, T) int64
        ``paths[t, c, i]``: the offer of round ``i >= t`` on the equilibrium path
        from state (t, c) (-1 before t).
    gap : (T, K + 1, G) float64
        Largest incentive violation of any type at the chosen cutoff (0 where it is
        an equilibrium of the round).
    rounds, discount, hazard
        The game's parameters.
    """

    theta: np.ndarray
    loss: np.ndarray
    keys: np.ndarray
    loss_edges: np.ndarray
    offer: np.ndarray
    cutoff: np.ndarray
    value: np.ndarray
    paths: np.ndarray
    gap: np.ndarray
    rounds: int
    discount: float
    hazard: float

    def types(self, thresholds: np.ndarray, loss: np.ndarray | None = None) -> np.ndarray:
        """The type of worlds with these thresholds and war gains (default 0); a world
        whose (threshold, class) no type has gets the next type in order."""
        thresholds = np.asarray(thresholds, dtype=np.int64)
        loss = np.zeros(thresholds.size) if loss is None else np.asarray(loss)
        key = thresholds * (len(self.loss_edges) + 2) + loss_class(loss, self.loss_edges)
        return np.minimum(np.searchsorted(self.keys, key), self.keys.size - 1)

    @property
    def path(self) -> np.ndarray:
        """The equilibrium offers, one grid index per round."""
        return self.paths[0, 0].copy()

    def states(self, offers: Sequence[int]) -> np.ndarray:
        """The proposer's state (types gone) at the start of each round and after the last."""
        c = 0
        out = [0]
        for t, j in enumerate(offers):
            c = int(self.cutoff[t, c, int(j)])
            out.append(c)
        return np.array(out, dtype=np.int64)

    @property
    def path_gap(self) -> float:
        """The largest incentive violation on the equilibrium path (0: exact)."""
        c, worst = 0, 0.0
        for t, j in enumerate(self.path):
            worst = max(worst, float(self.gap[t, c, j]))
            c = int(self.cutoff[t, c, j])
        return worst


@njit(cache=True)
def _backward(theta, loss, phi, deal_prefix, hazard_suffix, count_le, rounds, delta, hazard):
    """Backward induction over (round, types gone); see the module docstring."""
    n_types = theta.shape[0]
    n_offers = phi.shape[0]
    beta = delta * (1.0 - hazard)
    offer = np.zeros((rounds, n_types + 1), dtype=np.int64)
    cutoff = np.zeros((rounds, n_types + 1, n_offers), dtype=np.int64)
    gap = np.zeros((rounds, n_types + 1, n_offers))
    value = np.zeros((rounds + 1, n_types + 1))
    paths = np.full((rounds + 1, n_types + 1, rounds), -1, dtype=np.int64)
    phi_type = np.empty(n_types)
    for k in range(n_types):
        phi_type[k] = phi[theta[k]] if theta[k] < n_offers else np.inf
    wait = np.zeros((n_types + 1, n_types))
    for t in range(rounds - 1, -1, -1):
        # wait[cp, k]: type k's value of waiting when the state after this round is cp:
        # the pretext's loss, then its optimal stopping value along the equilibrium path
        # from (t+1, cp), discounted.
        for cp in range(n_types + 1):
            for k in range(n_types):
                v = 0.0
                if theta[k] < n_offers:
                    for i in range(rounds - 1, t, -1):
                        v = max(phi[paths[t + 1, cp, i]] - phi_type[k], hazard * loss[k] + beta * v)
                wait[cp, k] = hazard * loss[k] + beta * v
        for c in range(n_types + 1):
            best_value = -np.inf
            best_offer = 0
            for j in range(n_offers):
                top = max(count_le[j], c)  # types c .. top-1 could accept j
                chosen = c
                chosen_gap = np.inf
                for cp in range(top, c - 1, -1):  # largest consistent cutoff first
                    violation = 0.0
                    if cp > c:  # the highest acceptor must prefer accepting
                        k = cp - 1
                        violation = max(violation, wait[cp, k] - (phi[j] - phi_type[k]))
                    if cp < top:  # the lowest waiter must prefer waiting
                        violation = max(violation, (phi[j] - phi_type[cp]) - wait[cp, cp])
                    if violation < chosen_gap:
                        chosen = cp
                        chosen_gap = violation
                    if violation <= 0.0:
                        break
                # Report the largest violation of any type at the chosen cutoff (a type
                # above its threshold may still prefer a deal to the pretext's risk).
                worst = 0.0
                for k in range(c, n_types):
                    if theta[k] >= n_offers:
                        break
                    surplus = (phi[j] - phi_type[k]) - wait[chosen, k]
                    worst = max(worst, -surplus if k < chosen else surplus)
                cutoff[t, c, j] = chosen
                gap[t, c, j] = worst
                total = (
                    deal_prefix[j, chosen]
                    - deal_prefix[j, c]
                    + hazard * hazard_suffix[chosen]
                    + beta * value[t + 1, chosen]
                )
                if j == 0 or total > best_value + 1e-12 * (1.0 + abs(best_value)):
                    best_value = total
                    best_offer = j
            offer[t, c] = best_offer
            value[t, c] = best_value
            nxt = cutoff[t, c, best_offer]
            paths[t, c, t] = best_offer
            for i in range(t + 1, rounds):
                paths[t, c, i] = paths[t + 1, nxt, i]
    return offer, cutoff, value, paths, gap


def solve(game: ScreeningGame, rounds: int, discount: float, hazard: float) -> Equilibrium:
    """The proposer's skimming equilibrium by backward induction over the types.

    Parameters
    ----------
    game : ScreeningGame
    rounds : int
        Number of rounds T >= 1.
    discount : float
        Per-round discount factor delta in (0, 1].
    hazard : float
        Per-round probability h in [0, 1) that war breaks out while the target waits.

    Returns
    -------
    Equilibrium

    Examples
    --------
    One round, offers s = 0, .5, 1, types accepting 0 (weight .4) and .5 (weight
    .6); the proposer earns 1 - s from a deal: pooling at .5 (1 x .5) beats
    screening at 0 (.4 x 1).

    >>> import numpy as np
    >>> s = np.array([0.0, 0.5, 1.0])
    >>> mass = np.array([0.4, 0.6, 0.0, 0.0])
    >>> game = ScreeningGame.by_threshold(s, mass, mass[:, None] * (1 - s), np.zeros(4))
    >>> int(solve(game, rounds=1, discount=1.0, hazard=0.0).path[0])
    1
    """
    if rounds < 1:
        raise InputError("rounds must be >= 1")
    if not 0 < discount <= 1:
        raise InputError("discount must be in (0, 1]")
    if not 0 <= hazard < 1:
        raise InputError("hazard must be in [0, 1)")
    n_offers = game.grid
    theta = np.asarray(game.theta, dtype=np.int64)
    loss = np.asarray(game.loss, dtype=np.float64)
    keys = theta * (len(game.loss_edges) + 2) + np.asarray(game.loss_class, dtype=np.int64)
    if np.any(np.diff(keys) <= 0):
        raise InputError("types must be distinct and ordered by threshold, then by class")
    deal = np.asarray(game.deal_gain, dtype=np.float64)  # (K, G)
    deal_prefix = np.zeros((n_offers, theta.size + 1))
    deal_prefix[:, 1:] = np.cumsum(deal.T, axis=1)
    proposer_loss = np.asarray(game.hazard_loss, dtype=np.float64)
    hazard_suffix = np.zeros(theta.size + 1)
    hazard_suffix[:-1] = np.cumsum(proposer_loss[::-1])[::-1]
    count_le = np.searchsorted(theta, np.arange(n_offers), side="right").astype(np.int64)
    phi = np.asarray(game.phi, dtype=np.float64)
    offer, cutoff, value, paths, gap = _backward(
        theta,
        loss,
        phi,
        deal_prefix,
        hazard_suffix,
        count_le,
        int(rounds),
        float(discount),
        float(hazard),
    )
    return Equilibrium(
        theta=theta,
        loss=loss,
        keys=keys,
        loss_edges=np.asarray(game.loss_edges, dtype=np.float64),
        offer=offer,
        cutoff=cutoff,
        value=value,
        paths=paths,
        gap=gap,
        rounds=int(rounds),
        discount=float(discount),
        hazard=float(hazard),
    )


def respond(
    equilibrium: Equilibrium,
    offers: Sequence[int],
    thresholds: np.ndarray,
    fight: np.ndarray,
    loss: np.ndarray | None = None,
) -> np.ndarray:
    """Each world's equilibrium action in each round, for any sequence of offers.

    The target plays its equilibrium strategy at every history, on the path or
    off it: in round t it accepts iff its type lies below the cutoff of the
    offer made in the current state; otherwise a world whose no-deal outcome is
    war attacks when the equilibrium continuation offers it no deal (or it is
    the last round), and every other world waits.

    Parameters
    ----------
    equilibrium : Equilibrium
    offers : sequence of int
        Grid index of the offer made in each round (at most T rounds).
    thresholds : (N,) int64
        Each world's first accepted grid offer (G = none).
    fight : (N,) bool
        Whether the target fights when there is no deal in that world.
    loss : (N,) float64, optional
        Each world's war gain ``w_T - r_T`` (<= 0); default 0. With the thresholds
        it gives the world's type (:meth:`Equilibrium.types`).

    Returns
    -------
    (R, N) int8 array of :data:`WAIT`, :data:`ACCEPT`, :data:`ATTACK` or
    :data:`DONE` (R = len(offers)).
    """
    eq = equilibrium
    offers = [int(j) for j in offers]
    if len(offers) > eq.rounds:
        raise InputError(f"at most {eq.rounds} rounds of offers")
    n_offers = eq.cutoff.shape[2]
    if any(not 0 <= j < n_offers for j in offers):
        raise InputError(f"offers are grid indices in 0..{n_offers - 1}")
    thresholds = np.asarray(thresholds, dtype=np.int64)
    rank = eq.types(thresholds, loss)
    fight = np.asarray(fight, dtype=bool)
    states = eq.states(offers)
    actions = np.full((len(offers), rank.size), WAIT, dtype=np.int8)
    over = np.zeros(rank.size, dtype=bool)
    for t, _ in enumerate(offers):
        c, cp = states[t], states[t + 1]
        accept = (rank >= c) & (rank < cp) & ~over
        if t == eq.rounds - 1:
            reachable = np.zeros(rank.size, dtype=bool)
        else:
            reachable = thresholds <= eq.paths[t + 1, cp, t + 1 :].max()
        attack = ~accept & ~over & fight & ~reachable
        actions[t][over] = DONE
        actions[t][accept] = ACCEPT
        actions[t][attack] = ATTACK
        over |= accept | attack
    return actions
