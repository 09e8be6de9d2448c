"""The track-record blocks of a library scenario: ``library`` and ``outcome``.

Neither block is an input of the model: sampling, the engine and every analysis read the
issues, actors, conflict, threats and offers only, so a hindcast's numbers are the same
with or without them (tested in tests/test_track_record.py). ``library`` says which
moment the case is frozen at (its information cut-off) and which named offer was actually
made; ``outcome`` says what happened afterwards (docs/track-record.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Outcome", "CaseRecord", "OUTCOMES"]

#: The three outcomes of DESIGN.md section 4a, in the order the hindcast scores them.
OUTCOMES: tuple[str, ...] = ("deal", "deterred", "war")

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class CaseRecord(BaseModel):
    """A library case: the crisis, its information cut-off, the offer actually made."""

    model_config = _STRICT

    case: str = Field(min_length=1)
    cutoff: dt.date
    offer: str = Field(min_length=1)
    icb: int | None = None
    attributes: dict[str, str | bool] = Field(default_factory=dict)
    note: str | None = None


class Outcome(BaseModel):
    """What happened after the offer: ``deal``, ``deterred`` (no agreement, no war) or ``war``."""

    model_config = _STRICT

    result: Literal["deal", "deterred", "war"]
    date: dt.date
    source: str = Field(min_length=1)
    icb: dict[str, int] | None = None
    note: str | None = None
