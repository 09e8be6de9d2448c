"""Analyses: pure functions from a population (and arguments) to typed results."""
