"""Plain records that flow through ingest and retrieval. Frozen, so they can be shared freely."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.digest import text_sha256


@dataclass(frozen=True)
class Article:
    """One news article, cleaned, before chunking.

    ``id`` is the identity used for updates: a given id is kept as is; otherwise it is derived from
    the URL (so a re-fetched URL replaces its old version) or, with neither, from the text.
    """

    id: str
    title: str
    text: str
    url: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD) or empty
    outlet: str = ""
    lang: str = "other"  # "id" | "en" | "other"
    source: str = ""  # where it came from: a path, URL, "file.jsonl:12", "-"
    date_source: str = ""  # how ``published`` was found: field, html, url, dateline, none ("" = not recorded)

    @property
    def content_hash(self) -> str:
        """Hash of what shapes the chunks: a changed hash means the article must be re-chunked."""
        return text_sha256(f"{self.title}\n\n{self.text}")

    def metadata(self) -> dict[str, str]:
        """Metadata every chunk of this article carries."""
        return {
            "article_id": self.id,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "outlet": self.outlet,
            "lang": self.lang,
        }


@dataclass(frozen=True)
class Chunk:
    """A passage of an article, sized for embedding."""

    id: str
    article_id: str
    index: int
    text: str  # shown to users and to the answer model
    embed_text: str  # what is embedded (title-prefixed); the e5 "passage: " prefix is added by the embedder
    n_tokens: int


@dataclass(frozen=True)
class ArticleInfo:
    """What the catalog knows about a stored article (no text)."""

    id: str
    title: str
    url: str
    published: str
    outlet: str
    lang: str
    content_hash: str
    n_chunks: int
    ingested_at: str
    source: str
    date_source: str = ""  # field, html, url, dateline, none; "" for articles stored before it was recorded
    story_id: str = ""  # the story it belongs to: the id of the story's earliest member; "" when alone

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its article's metadata and scores."""

    chunk_id: str
    article_id: str
    index: int
    text: str
    title: str
    url: str = ""
    published: str = ""
    outlet: str = ""
    lang: str = "other"
    score: float = 0.0  # the fused score used for ranking
    dense: float | None = None  # cosine similarity to the question, when the vector side saw it
    keyword: float | None = None  # BM25 score, when the keyword side saw it
    merged_ids: tuple[str, ...] = field(default=())  # neighbouring chunks merged into this passage
    story_id: str = ""  # the story of its article ("" = none)
    also_in: tuple[str, ...] = field(default=())  # the other outlets that published its story, earliest first

    def to_json(self) -> dict[str, Any]:
        """What ``warta search --json`` shows of a passage."""
        return {"article_id": self.article_id, "chunk_id": self.chunk_id, "title": self.title, "url": self.url,
                "published": self.published, "outlet": self.outlet, "score": round(self.score, 6),
                "dense": None if self.dense is None else round(self.dense, 4), "lang": self.lang, "index": self.index,
                "text": self.text, "story_id": self.story_id, "also_in": list(self.also_in)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hit:
        """A passage as ``to_json`` wrote it (what a running ``warta serve`` sends the CLI)."""
        return cls(chunk_id=data["chunk_id"], article_id=data["article_id"], index=int(data.get("index", 0)),
                   text=data.get("text", ""), title=data.get("title", ""), url=data.get("url", ""),
                   published=data.get("published", ""), outlet=data.get("outlet", ""), lang=data.get("lang", "other"),
                   score=float(data.get("score", 0.0)), dense=data.get("dense"),
                   story_id=data.get("story_id", ""), also_in=tuple(data.get("also_in", ())))
