"""Presentation: documents built from analysis results (the HTML brief)."""
