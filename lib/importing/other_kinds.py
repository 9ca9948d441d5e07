"""Files of other domains that `python -m lib.cli import` takes too, each through its own domain's
importer: the domain registers how to know its file from the first rows (the header) and how to import
it, so lib.importing needs no import of that domain (lib.plan's schedule, 排期表, imports lib.importing).

A registered kind is tried on the rows above the data before the export profiles: a schedule's header
(日期, 开始时间, 直播间, 主播, ...) would otherwise read as a session list with a platform column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import Engine


class Report(Protocol):
    """What the command prints for a file: `ok` and the JSON object of the other importers' shape."""

    @property
    def ok(self) -> bool: ...

    def as_dict(self, lang: str = "zh") -> dict[str, Any]: ...


@dataclass(frozen=True)
class OtherKind:
    name: str
    detect: Callable[[list[list[Any]]], bool]  # the file's first rows -> is it this kind's file
    run: Callable[[Engine, bytes, str, str | None, bool], Report]  # engine, bytes, name, user, dry run


KINDS: dict[str, OtherKind] = {}


def register_kind(kind: OtherKind) -> None:
    KINDS[kind.name] = kind


def claim(head: list[list[Any]], asked: str | None) -> OtherKind | None:
    """The registered kind a file is: the one asked for (--kind), else the first whose header it has;
    None when the file is for the export profiles."""
    if asked is not None:
        return KINDS.get(asked)
    return next((k for k in KINDS.values() if k.detect(head)), None)
