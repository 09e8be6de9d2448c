"""Domain errors: raised low with a field path, formatted once at the edge."""

from __future__ import annotations

__all__ = ["InputError", "ScenarioError", "printable"]


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


class InputError(ValueError):
    """Bad input that the user can fix: an argument out of range, an unknown name.

    The edges (CLI, web) show it as one line (``field: message``) and exit 2 / answer
    422; any other exception is a bug. ``field`` names the argument (``--output``,
    ``target_p``) when there is one.

    Examples
    --------
    >>> InputError("expected p_deal or proposer_eu", "--output").one_line()
    '--output: expected p_deal or proposer_eu'
    """

    def __init__(self, message: str, field: str = "", file: str | None = None) -> None:
        self.path = field
        self.message = message
        self.file = file
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``<file>: <field>: <message>`` (parts that are unknown left out), on one line."""
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join(printable(p) for p in [*parts, self.message])

    def as_dict(self) -> dict[str, str | None]:
        """The JSON error shape ``{"file", "field", "message"}`` (CLI ``--json``, web)."""
        return {
            "file": printable(self.file) if self.file else None,
            "field": printable(self.path) if self.path else None,
            "message": printable(self.message),
        }


class ScenarioError(InputError):
    """An invalid scenario: ``path`` names the field, ``message`` the problem.

    Examples
    --------
    >>> str(ScenarioError("actors.Russia.salience.nato", "must be >= 0", "x.yaml"))
    'x.yaml: actors.Russia.salience.nato: must be >= 0'
    """

    def __init__(self, path: str, message: str, file: str | None = None) -> None:
        super().__init__(message, path, file)

    def one_line(self) -> str:
        """``<file>: <path>: <message>`` (parts that are unknown left out), on one line:
        a newline or control character in any part is shown escaped, so text from a
        file can never forge a second line.

        Examples
        --------
        >>> ScenarioError("actors.A\\nerror: forged", "unknown actor").one_line()
        'actors.A\\\\nerror: forged: unknown actor'
        """
        return super().one_line()

    def with_file(self, file: str) -> ScenarioError:
        """The same error, naming the file it came from."""
        return ScenarioError(self.path, self.message, file)
