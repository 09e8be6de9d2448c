"""Domain errors: raised low with a field path, formatted once at the edge."""

from __future__ import annotations

__all__ = ["ScenarioError", "printable"]


def printable(text: str) -> str:
    """``text`` with every non-printable character (newline, escape, ...) escaped.

    Examples
    --------
    >>> printable("a\\nb\\x1b[2J")
    'a\\\\nb\\\\x1b[2J'
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
        """``<file>: <path>: <message>`` (parts that are unknown left out), on one line:
        a newline or control character in any part is shown escaped, so text from a
        file can never forge a second line.

        Examples
        --------
        >>> ScenarioError("actors.A\\nerror: forged", "unknown actor").one_line()
        'actors.A\\\\nerror: forged: unknown actor'
        """
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join(printable(p) for p in [*parts, self.message])

    def as_dict(self) -> dict[str, str | None]:
        """The JSON error shape ``{"file", "field", "message"}`` (CLI ``--json``, web)."""
        return {
            "file": printable(self.file) if self.file else None,
            "field": printable(self.path),
            "message": printable(self.message),
        }

    def with_file(self, file: str) -> ScenarioError:
        """The same error, naming the file it came from."""
        return ScenarioError(self.path, self.message, file)
