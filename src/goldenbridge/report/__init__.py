"""Presentation: plots (matplotlib, the ``plots`` extra), the one-paragraph answer,
and JSON documents. No model logic lives here.
"""
