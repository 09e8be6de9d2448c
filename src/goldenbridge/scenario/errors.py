"""Domain errors: raised low with a field path, formatted once at the edge."""

from __future__ import annotations

__all__ = ["ScenarioError"]


class ScenarioError(ValueError):
    """An invalid scenario: ``path`` names the field, ``message`` the problem.

    Examples
    --------
    >>> str(ScenarioError("actors.Russia.salience.nato", "must be >= 0", "x.yaml"))
    'x.yaml: actors.Russia.salience.nato: must be >= 0'
    """

    def __init__(self, path: str, message: str, file: str | None = None) -> None:
        self.path = path
        self.message = message
        self.file = file
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``<file>: <path>: <message>`` (parts that are unknown left out)."""
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join([*parts, self.message])

    def with_file(self, file: str) -> ScenarioError:
        """The same error, naming the file it came from."""
        return ScenarioError(self.path, self.message, file)
