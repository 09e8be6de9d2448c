"""The run history: one SQLite file, every analysis run with what reproduces it.

Each row holds the scenario (its SHA-256 and its text), the command and its
arguments, the goldenbridge version, the seed, the wall time and the JSON result.
The file is shared by concurrent processes: it is opened in WAL mode (readers
never block the writer) and every write is one ``BEGIN IMMEDIATE`` transaction
with a busy timeout, so writers queue instead of failing or corrupting it
(SQLite's own guarantees: https://www.sqlite.org/wal.html,
https://www.sqlite.org/lang_transaction.html).

A file that is not a goldenbridge history (not SQLite, another application's
database, a newer schema) raises :class:`HistoryError` and is never written to.
The schema version is SQLite's ``user_version``; :data:`MIGRATIONS` takes any older
version up to :data:`SCHEMA_VERSION` inside one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "APPLICATION_ID",
    "ENV_VAR",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "HistoryError",
    "Run",
    "RunStore",
    "default_path",
    "scenario_hash",
]

ENV_VAR = "GOLDENBRIDGE_DB"
# "GBRH" (goldenbridge run history) in SQLite's application_id header field, so a
# file written by another program is recognised as foreign.
APPLICATION_ID = 0x47425248
_SQLITE_MAGIC = b"SQLite format 3\x00"

# Version n is reached by running MIGRATIONS[n - 1] on version n - 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the runs
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created TEXT NOT NULL,
            command TEXT NOT NULL,
            scenario_name TEXT NOT NULL,
            scenario_hash TEXT NOT NULL,
            scenario_text TEXT NOT NULL,
            arguments TEXT NOT NULL,
            version TEXT NOT NULL,
            seed INTEGER,
            seconds REAL NOT NULL,
            result TEXT NOT NULL
        )""",
    ),
    (  # 2: the environment (Python, numpy) for rerun's "why not", the files named by
        # other arguments (observations), and an index to list a scenario's runs
        "ALTER TABLE runs ADD COLUMN environment TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE runs ADD COLUMN files TEXT NOT NULL DEFAULT '{}'",
        "CREATE INDEX runs_by_scenario ON runs (scenario_name, id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """A run history that cannot be used: the message is one line naming the file."""


def default_path() -> Path:
    """Where the run history lives: ``$GOLDENBRIDGE_DB``, else the user's data folder.

    The data folder follows the XDG base directory specification on Linux
    (``$XDG_DATA_HOME``, default ``~/.local/share``), ``~/Library/Application Support``
    on macOS and ``%LOCALAPPDATA%`` on Windows (the folders platformdirs uses).

    Examples
    --------
    >>> import os
    >>> os.environ[ENV_VAR] = "/tmp/example-runs.sqlite"
    >>> str(default_path())
    '/tmp/example-runs.sqlite'
    >>> del os.environ[ENV_VAR]
    """
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "goldenbridge" / "runs.sqlite"


def scenario_hash(text: str) -> str:
    """The SHA-256 of a scenario's text (hex), which identifies it in the history.

    >>> scenario_hash("name: x\\n")[:12]
    'a2a79ea37edb'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Run:
    """One stored run."""

    id: int
    created: str
    command: str
    scenario_name: str
    scenario_hash: str
    scenario_text: str
    arguments: dict[str, Any]
    version: str
    seed: int | None
    seconds: float
    result: dict[str, Any]
    environment: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The row of ``runs list``: everything but the texts and the result."""
        return {
            "id": self.id,
            "created": self.created,
            "command": self.command,
            "scenario": self.scenario_name,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "seconds": self.seconds,
            "version": self.version,
            "arguments": self.arguments,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``runs show``."""
        return {
            **self.summary(),
            "environment": self.environment,
            "scenario_text": self.scenario_text,
            "files": self.files,
            "result": self.result,
        }


_COLUMNS = (
    "id, created, command, scenario_name, scenario_hash, scenario_text, arguments, "
    "version, seed, seconds, result, environment, files"
)


def _run(row: tuple) -> Run:
    (id_, created, command, name, digest, text, args, version, seed, secs, result, env, files) = row
    return Run(
        id=id_,
        created=created,
        command=command,
        scenario_name=name,
        scenario_hash=digest,
        scenario_text=text,
        arguments=json.loads(args),
        version=version,
        seed=seed,
        seconds=secs,
        result=json.loads(result),
        environment=json.loads(env),
        files=json.loads(files),
    )


class RunStore:
    """An open run history (a context manager; :meth:`close` when done).

    Parameters
    ----------
    path : path, optional
        The SQLite file (default :func:`default_path`); created with its folder
        when missing.
    timeout : float
        Seconds a writer waits for another to finish before giving up.

    Raises
    ------
    HistoryError
        The file is not SQLite, belongs to another application, has a newer schema,
        or cannot be created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.mkdtemp()
    >>> with RunStore(pathlib.Path(folder) / "runs.sqlite") as store:
    ...     run_id = store.add("evaluate", "fearon-1d", "name: fearon-1d\\n", {"samples": 10},
    ...                        seed=7, seconds=0.1, result={"p_deal": 0.5})
    ...     store.get(run_id).result
    {'p_deal': 0.5}
    """

    def __init__(self, path: str | Path | None = None, *, timeout: float = 60.0) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._check_header()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are spelled out (BEGIN IMMEDIATE).
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"{self.path}: cannot open the run history: {exc}") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise HistoryError(f"{self.path}: not a usable run history ({exc})") from None
        except HistoryError:
            self._db.close()
            raise

    def _check_header(self) -> None:
        """Refuse a non-empty file that is not SQLite before SQLite touches it."""
        try:
            with open(self.path, "rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot read the run history: {exc}") from None
        if head and head != _SQLITE_MAGIC:
            raise HistoryError(
                f"{self.path}: not a goldenbridge run history (not an SQLite database); "
                "left untouched — choose another file with --db"
            )

    def _identity(self) -> tuple[int, int, int]:
        app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return app_id, version, tables

    def _refuse_foreign(self, app_id: int, version: int, tables: int) -> None:
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise HistoryError(
                f"{self.path}: not a goldenbridge run history (another application's "
                "database); left untouched — choose another file with --db"
            )
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: run history schema version {version} is newer than this "
                f"goldenbridge reads ({SCHEMA_VERSION}); upgrade goldenbridge"
            )

    def _prepare(self) -> None:
        """Check the file is ours, switch to WAL, create or migrate the schema."""
        self._refuse_foreign(*self._identity())
        if self._identity()[1] < SCHEMA_VERSION:
            with self._write():
                app_id, version, tables = self._identity()  # again: another process may
                self._refuse_foreign(app_id, version, tables)  # have migrated meanwhile
                for step in MIGRATIONS[version:]:
                    for statement in step:
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. a file system without shared memory
            raise HistoryError(f"{self.path}: cannot use write-ahead logging (mode {mode})")

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken before reading so writers queue."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def add(
        self,
        command: str,
        scenario_name: str,
        scenario_text: str,
        arguments: Mapping[str, Any],
        *,
        seed: int | None,
        seconds: float,
        result: Mapping[str, Any],
        version: str | None = None,
        environment: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
    ) -> int:
        """Store one run; returns its id."""
        if version is None:
            from goldenbridge import __version__ as version
        row = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            command,
            scenario_name,
            scenario_hash(scenario_text),
            scenario_text,
            json.dumps(dict(arguments), sort_keys=True),
            version,
            seed,
            float(seconds),
            json.dumps(dict(result), allow_nan=False),
            json.dumps(dict(environment or {}), sort_keys=True),
            json.dumps(dict(files or {}), sort_keys=True),
        )
        try:
            with self._write():
                cursor = self._db.execute(
                    "INSERT INTO runs (created, command, scenario_name, scenario_hash, "
                    "scenario_text, arguments, version, seed, seconds, result, environment, "
                    "files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot save the run: {exc}") from None
        return int(cursor.lastrowid or 0)

    def get(self, run_id: int) -> Run:
        """The run with this id (``KeyError`` naming it when there is none)."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(f"{self.path}: no run with id {run_id}")
        return _run(row)

    def runs(
        self, scenario: str | None = None, command: str | None = None, limit: int | None = None
    ) -> list[Run]:
        """Stored runs, newest first, optionally of one scenario (its name) or command."""
        where, params = [], []
        if scenario is not None:
            where.append("scenario_name = ?")
            params.append(scenario)
        if command is not None:
            where.append("command = ?")
            params.append(command)
        sql = f"SELECT {_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_run(row) for row in self._db.execute(sql, params)]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM runs").fetchone()[0])

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` answer (``"ok"`` when sound)."""
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])
