"""Presentation: plots (matplotlib, the ``plots`` extra), the one-paragraph answer,
JSON documents, the HTML brief (brief.py, html.py, figures.py, pdf.py) and the
per-world export (export.py). No model logic lives here.
"""
