"""The scenarios a web server knows: the built-ins and those uploaded to it, in memory only.

A client names a scenario by a built-in name or by the id an upload returned;
it never names a file. Uploaded text is parsed in memory (never written to
disk) with YAML's safe loader, with aliases refused as well: an alias can
make a few hundred bytes expand into billions of nodes during validation.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from importlib import resources

import goldenbridge as gb
from goldenbridge.scenario import builtin_names, read_text
from goldenbridge.scenario.loading import suggest

__all__ = ["ScenarioStore", "UnknownScenario", "parse_upload"]

_BUILTIN_PACKAGE = "goldenbridge.scenario.builtin"


class UnknownScenario(LookupError):
    """A scenario reference that is neither a built-in nor a kept upload."""

    def __init__(self, reference: str) -> None:
        self.path = "scenario"
        self.message = (
            f"unknown scenario {reference!r}{suggest(reference, builtin_names())}: "
            f"use a built-in ({', '.join(builtin_names())}) "
            "or the id returned by /api/validate (uploads are kept in memory, so upload it again "
            "after a server restart)"
        )
        super().__init__(self.message)


def parse_upload(text: str, file: str = "upload") -> gb.Scenario:
    """Validate uploaded YAML or JSON text (JSON is YAML) into a scenario.

    Raises
    ------
    ScenarioError
        With the field path and the problem (a syntax error has an empty path
        and says where it is).
    """
    return read_text(text, file, aliases=False)


def content_id(scenario: gb.Scenario) -> str:
    """An id that depends only on the validated scenario's content."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return "upload-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


class ScenarioStore:
    """Built-in scenarios by name and uploaded ones by content id (the newest ``max_uploads``).

    Thread-safe: uploads arrive from the worker, lookups from anywhere.
    """

    def __init__(self, max_uploads: int = 32) -> None:
        self.max_uploads = max_uploads
        self._builtins: dict[str, gb.Scenario] = {}
        self._uploads: OrderedDict[str, gb.Scenario] = OrderedDict()
        self._lock = threading.Lock()

    def builtin(self, name: str) -> gb.Scenario:
        """A built-in scenario, read from the package (never from the working directory)."""
        if name not in builtin_names():
            raise UnknownScenario(name)
        with self._lock:
            if name not in self._builtins:
                folder = resources.files(_BUILTIN_PACKAGE)
                text = folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
                self._builtins[name] = read_text(text, name)
            return self._builtins[name]

    def get(self, reference: str) -> gb.Scenario:
        """The scenario a client refers to: a built-in name or an upload's id."""
        with self._lock:
            scenario = self._uploads.get(reference)
            if scenario is not None:
                self._uploads.move_to_end(reference)
                return scenario
        return self.builtin(reference)

    def add(self, scenario: gb.Scenario) -> str:
        """Keep a validated scenario; return its id."""
        scenario_id = content_id(scenario)
        with self._lock:
            self._uploads[scenario_id] = scenario
            self._uploads.move_to_end(scenario_id)
            while len(self._uploads) > self.max_uploads:
                self._uploads.popitem(last=False)
        return scenario_id
