"""Retrieval filters, defined once: the vector store turns them into a Chroma ``where``, the index checks
every other candidate (keyword hits, catalog rows) against them in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

from core.errors import InputError
from core.records import Hit

Field = Literal["date", "outlet", "lang", "article_id"]  # chunk metadata the filters look at


def date_number(published: str) -> int:
    """YYYYMMDD as an int (Chroma filters compare numbers only); 0 when unknown."""
    try:
        return int(date.fromisoformat(published).strftime("%Y%m%d"))
    except ValueError:
        return 0


@dataclass(frozen=True)
class Clause:
    """One condition on a chunk's metadata: ``field`` on or after / on or before a date, or one of ``values``."""

    field: Field
    op: Literal["from", "to", "in"]
    day: int = 0  # YYYYMMDD, for "from" and "to"
    values: tuple[str, ...] = ()  # for "in"

    def accepts(self, metadata: Mapping[str, object]) -> bool:
        """Whether a chunk with ``metadata`` (a date as ``date_number``) meets the clause. An article without a
        date is never within a range (Chroma's ``$lte`` would let its 0 through: the index checks again)."""
        value = metadata.get(self.field)
        if self.op == "in":
            return value in self.values
        day = value if isinstance(value, int) else 0
        return day >= self.day if self.op == "from" else 0 < day <= self.day


@dataclass(frozen=True)
class Filters:
    """Retrieval filters; empty fields do not filter."""

    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""
    outlets: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    # the wire names (the HTTP API, the CLI asking a server)
    JSON_KEYS: ClassVar[tuple[str, ...]] = ("since", "until", "outlets", "langs", "articles")

    def to_json(self) -> dict[str, Any]:
        return {"since": self.date_from, "until": self.date_to, "outlets": list(self.outlets),
                "langs": list(self.langs), "articles": list(self.article_ids)}

    @classmethod
    def from_json(cls, value: object) -> Filters:
        """``{"since", "until", "outlets", "langs", "articles"}`` (all optional; ``None`` is no filter).

        Raises:
            InputError: an unknown key or a field of the wrong type (the message names it).
        """
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise InputError(f"'filters' must be an object, got {type(value).__name__}")
        unknown = set(value) - set(cls.JSON_KEYS)
        if unknown:
            raise InputError(f"unknown filter(s): {', '.join(sorted(unknown))} (known: {', '.join(cls.JSON_KEYS)})")

        def text(key: str) -> str:
            v = value.get(key) or ""
            if not isinstance(v, str):
                raise InputError(f"filter '{key}' must be a date string like 2025-06-18, got {type(v).__name__}")
            return v

        def strings(key: str) -> tuple[str, ...]:
            v = value.get(key) or []
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise InputError(f"filter '{key}' must be a list of strings")
            return tuple(v)

        return cls(date_from=text("since"), date_to=text("until"), outlets=strings("outlets"),
                   langs=strings("langs"), article_ids=strings("articles"))

    def clauses(self) -> list[Clause]:
        """The conditions a chunk must all meet (none: no filtering)."""
        out: list[Clause] = []
        if self.date_from:
            out.append(Clause("date", "from", day=date_number(self.date_from)))
        if self.date_to:
            out.append(Clause("date", "to", day=date_number(self.date_to)))
        listed: tuple[tuple[Field, tuple[str, ...]], ...] = (
            ("outlet", self.outlets), ("lang", self.langs), ("article_id", self.article_ids))
        for field, values in listed:
            kept = tuple(v for v in values if v)
            if kept:
                out.append(Clause(field, "in", values=kept))
        return out

    def accepts(self, hit: Hit) -> bool:
        """Whether the chunk of ``hit`` meets every clause."""
        metadata = {"date": date_number(hit.published), "outlet": hit.outlet, "lang": hit.lang,
                    "article_id": hit.article_id}
        return all(clause.accepts(metadata) for clause in self.clauses())
