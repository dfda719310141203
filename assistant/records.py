"""Answer-side records: numbered passages, citations and the answer itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from core.records import Hit
from core.text.when import NO_SCOPE, DateRange, TimeScope


@dataclass(frozen=True)
class Passage:
    """A retrieved passage as numbered in the prompt: ``[n]``."""

    n: int
    hit: Hit
    text: str  # what the model saw (possibly trimmed to the context budget)
    tokens: int


@dataclass(frozen=True)
class Citation:
    """One source of an answer: marker ``[n]`` in the answer text points here."""

    n: int
    article_id: str
    chunk_id: str
    title: str
    outlet: str
    published: str
    url: str
    passage: str  # the full retrieved passage (the model may have seen only its best sentences)
    quote: str  # the sentence(s) of the passage that support the answer
    also_in: tuple[str, ...] = ()  # the other outlets that published the same story, earliest first

    def outlets(self, language: str) -> str:
        """The outlet and where else the story appeared: "Antara; juga dimuat Kompas, Detik"."""
        return published_by(self.outlet, self.also_in, language)

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "article_id": self.article_id, "title": self.title, "outlet": self.outlet,
                "date": self.published, "url": self.url, "quote": self.quote, "also_in": list(self.also_in)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citation:
        return cls(n=int(data["n"]), article_id=data.get("article_id", ""), chunk_id="", title=data.get("title", ""),
                   outlet=data.get("outlet", ""), published=data.get("date", ""), url=data.get("url", ""), passage="",
                   quote=data.get("quote", ""), also_in=tuple(data.get("also_in", ())))


ALSO_PUBLISHED = {"id": "juga dimuat", "en": "also published by"}  # before the story's other outlets


def published_by(outlet: str, also_in: Sequence[str], language: str) -> str:
    """``outlet``, then the other outlets of its story in the reader's language: "Antara; juga dimuat Kompas,
    Detik" (Indonesian), "Antara; also published by Kompas, Detik" (otherwise). Just ``outlet`` when alone."""
    if not also_in:
        return outlet
    others = f"{ALSO_PUBLISHED.get(language, ALSO_PUBLISHED['en'])} {', '.join(also_in)}"
    return f"{outlet}; {others}" if outlet else others


@dataclass(frozen=True)
class TimeFocus:
    """What a question asked about time, and what the search did with it."""

    scope: TimeScope = NO_SCOPE
    applied: bool = False  # the passages were taken from the asked range
    widened: bool = False  # nothing relevant in the range: all dates were searched

    @property
    def asked(self) -> bool:
        return self.scope.range is not None or self.scope.latest

    def to_json(self, language: str) -> dict[str, Any]:
        span = self.scope.range
        return {"expression": self.scope.expression, "kind": self.scope.kind, "latest": self.scope.latest,
                "since": _iso(span.start) if span else "", "until": _iso(span.end) if span else "",
                "label": span.label(language) if span else "", "applied": self.applied, "widened": self.widened}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TimeFocus:
        """A focus as ``to_json`` wrote it (what a running ``warta serve`` sends the CLI)."""
        if not data:
            return cls()
        since, until = data.get("since") or "", data.get("until") or ""
        span = (DateRange(date.fromisoformat(since) if since else None, date.fromisoformat(until) if until else None)
                if since or until else None)
        scope = TimeScope(span, bool(data.get("latest")), data.get("expression", ""), data.get("kind", "none"))
        return cls(scope, bool(data.get("applied")), bool(data.get("widened")))


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


@dataclass(frozen=True)
class Answer:
    question: str
    language: str  # language of the question, and so of the answer
    text: str  # with [n] markers renumbered to match ``citations``
    refused: bool
    citations: tuple[Citation, ...] = ()
    unsupported: tuple[str, ...] = ()  # sentences removed from the answer: names or numbers no passage states
    corrected: tuple[tuple[str, str], ...] = ()  # (as written, as corrected): numbers whose scale word was wrong
    standalone_question: str = ""  # the question after rewriting follow-ups
    backend: str = ""
    model: str = ""
    note: str = ""  # e.g. "the answer model was unavailable; answered extractively"
    timings_ms: dict[str, float] = field(default_factory=dict)
    passages: tuple[Passage, ...] = ()
    time: TimeFocus = field(default_factory=TimeFocus)  # the date range or "latest" asked for, and its use
    doubt: float | None = None  # how likely the model's first token began its refusal (None: no model or logprobs)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question, "language": self.language, "answer": self.text, "refused": self.refused,
            "citations": [c.to_json() for c in self.citations], "unsupported": list(self.unsupported),
            "corrected": [{"written": a, "corrected": b} for a, b in self.corrected],
            "standalone_question": self.standalone_question, "backend": self.backend, "model": self.model,
            "note": self.note, "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "time": self.time.to_json(self.language) if self.time.asked else None,
            "doubt": None if self.doubt is None else round(self.doubt, 4),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        """An answer as ``to_json`` wrote it (what a running ``warta serve`` sends the CLI); no passages."""
        return cls(question=data["question"], language=data["language"], text=data["answer"], refused=data["refused"],
                   citations=tuple(Citation.from_json(c) for c in data.get("citations", ())),
                   unsupported=tuple(data.get("unsupported", ())),
                   corrected=tuple((c["written"], c["corrected"]) for c in data.get("corrected", ())),
                   standalone_question=data.get("standalone_question", ""), backend=data.get("backend", ""),
                   model=data.get("model", ""), note=data.get("note", ""), timings_ms=dict(data.get("timings_ms", {})),
                   time=TimeFocus.from_json(data.get("time")), doubt=data.get("doubt"))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
