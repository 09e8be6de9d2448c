"""Analyses: pure functions from a population (and arguments) to typed results.

Flat: ``evaluate`` (one offer's odds), ``deterrence``, ``bargaining_range``, ``stats``.
Grouped: ``optimize/``, ``sensitivity/``, ``update/``, ``negotiate/`` — each package's
``__init__`` re-exports its entry points.
"""
