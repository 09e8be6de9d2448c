"""goldenbridge: crisis bargaining analysis."""

__version__ = "0.1.0"
