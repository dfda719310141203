"""The labelled set for story detection, built by code at run time from real articles (news_id.jsonl).

Positives: each article against syndicated variants of it made here (another outlet's dateline and footer, a
"Baca juga" line, a paragraph trimmed, two paragraphs swapped, the lead reworded, another date), the two
variants against each other, and a copy cut to its first 60% with a closing line of its own. Negatives: distinct
real articles on the same topic (for each article, the other one sharing the most content words with it: hard
pairs, same names and subject), a variant of one against the original of its hard partner, the hard partner
quoting the article's longest paragraph (a follow-up story), and random pairs.

Everything is split in two halves by source article (``half_of``): pairs are made inside one half only, so the
"tune" half can choose the threshold and shingle size and the "test" half measures them.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

OUTLETS = [("ANTARA", "Jakarta (ANTARA) - ", "Pewarta: Rina\nEditor: Budi"),
           ("Kompas", "JAKARTA, KOMPAS.com - ", "Penulis: Dian\nEditor: Sandro"),
           ("Detik", "Jakarta, detikcom - ", "(ega/dnu)"),
           ("Tempo", "TEMPO.CO, Jakarta - ", "Copyright TEMPO 2017"),
           ("Liputan6", "Liputan6.com, Surabaya - ", "Simak juga video pilihan berikut ini"),
           ("CNN Indonesia", "Jakarta, CNN Indonesia -- ", "(ugo/ugo)")]
REWORD = {"mengatakan": "menyatakan", "menurut": "kata", "tersebut": "itu", "akan": "bakal", "saat": "ketika",
          "telah": "sudah", "namun": "tetapi", "juga": "pun", "dalam": "di dalam", "bahwa": "jika"}
_DATELINE = re.compile(r"^[^\n]{0,60}?\s[-\u2013\u2014]{1,2}\s")
_CONTENT = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True)
class Doc:
    """A text in the set: a real article or a variant made from one."""

    key: str  # article id, or "<article id>~v<n>"
    text: str
    outlet: str
    published: str


@dataclass(frozen=True)
class Pair:
    first: Doc
    second: Doc
    same_story: bool
    kind: str  # variant, variant-variant, hard, variant-hard, random
    half: str  # tune | test


def half_of(article_id: str) -> str:
    """A stable half of the set for an article: "tune" or "test"."""
    return "tune" if hashlib.sha256(article_id.encode()).digest()[0] % 2 == 0 else "test"


def load_articles(path: Path) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if len(r.get("text", "").split()) >= 80]  # too short to re-publish with edits


def variant(article: dict[str, str], n: int, rng: random.Random, heavy: bool) -> Doc:
    """A syndicated copy of ``article``: another outlet's dateline and footer, a later date; ``heavy`` also trims
    the last paragraph, swaps two paragraphs, rewords the lead and adds a "Baca juga" line."""
    outlet, dateline, footer = OUTLETS[rng.randrange(len(OUTLETS))]
    paragraphs = [p.strip() for p in article["text"].split("\n") if p.strip()]
    paragraphs[0] = dateline + _DATELINE.sub("", paragraphs[0], count=1)
    if heavy:
        if len(paragraphs) >= 4:
            paragraphs.pop()  # the tail a re-publisher cuts
            i = rng.randrange(1, len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
        lead = paragraphs[0].split(" ")
        for j, word in enumerate(lead):
            if word.lower() in REWORD and rng.random() < 0.7:
                lead[j] = REWORD[word.lower()]
        if len(lead) > 20:  # a clause dropped from the lead
            cut = rng.randrange(8, len(lead) - 8)
            del lead[cut : cut + 4]
        paragraphs[0] = " ".join(lead)
        paragraphs.insert(min(2, len(paragraphs)), "Baca juga: " + article["title"][:60] + " Terbaru Hari Ini")
    paragraphs.append(footer)
    day = date.fromisoformat(article["date"]) if article.get("date") else date(2017, 6, 1)
    published = (day + timedelta(days=rng.randrange(0, 3))).isoformat()
    return Doc(f"{article['id']}~v{n}", "\n\n".join(paragraphs), outlet, published)


def cut_copy(article: dict[str, str], rng: random.Random) -> Doc:
    """A re-publish cut short: another outlet keeps only the first 60% of the paragraphs (at least two) and adds
    its own closing paragraph."""
    outlet, dateline, footer = OUTLETS[rng.randrange(len(OUTLETS))]
    paragraphs = [p.strip() for p in article["text"].split("\n") if p.strip()]
    kept = paragraphs[: max(2, round(len(paragraphs) * 0.6))]
    kept[0] = dateline + _DATELINE.sub("", kept[0], count=1)
    kept.append(f"Berita ini telah tayang di {outlet} dengan judul {article['title'][:50]}.")
    return Doc(f"{article['id']}~cut", "\n\n".join([*kept, footer]), outlet, article.get("date") or "")


def quoting(article: dict[str, str], quoted: dict[str, str], rng: random.Random) -> Doc:
    """A distinct article that quotes another: ``article`` with one paragraph of ``quoted`` (its longest) set
    in after its lead, as a follow-up story does."""
    paragraphs = [p.strip() for p in article["text"].split("\n") if p.strip()]
    borrowed = max((p.strip() for p in quoted["text"].split("\n") if p.strip()), key=len)
    paragraphs.insert(1, borrowed)
    return Doc(f"{article['id']}~quotes~{quoted['id']}", "\n\n".join(paragraphs), article.get("outlet", ""),
               article.get("date") or "")


def _content_words(text: str) -> set[str]:
    return set(_CONTENT.findall(text.lower()))


def hard_partners(articles: Sequence[dict[str, str]]) -> dict[str, str]:
    """For each article, the other article of its half sharing the most content words (Jaccard of word sets)."""
    words = {a["id"]: _content_words(a["title"] + " " + a["text"]) for a in articles}
    out: dict[str, str] = {}
    for a in articles:
        best, best_score = "", -1.0
        for b in articles:
            if b["id"] == a["id"] or half_of(b["id"]) != half_of(a["id"]):
                continue
            wa, wb = words[a["id"]], words[b["id"]]
            score = len(wa & wb) / max(1, len(wa | wb))
            if score > best_score:
                best, best_score = b["id"], score
        out[a["id"]] = best
    return out


def build(path: Path, seed: int = 16) -> list[Pair]:
    """The labelled pairs of ``path``'s articles (deterministic for a seed)."""
    rng = random.Random(seed)
    articles = load_articles(path)
    by_id = {a["id"]: a for a in articles}
    docs = {a["id"]: Doc(a["id"], a["text"], a.get("outlet", ""), a.get("date") or "") for a in articles}
    variants = {a["id"]: (variant(a, 1, rng, heavy=False), variant(a, 2, rng, heavy=True)) for a in articles}
    pairs: list[Pair] = []
    for a in articles:
        half, light, heavy = half_of(a["id"]), *variants[a["id"]]
        original = docs[a["id"]]
        pairs += [Pair(original, light, True, "variant", half), Pair(original, heavy, True, "variant", half),
                  Pair(light, heavy, True, "variant-variant", half),
                  Pair(original, cut_copy(a, rng), True, "cut", half)]
    seen: set[frozenset[str]] = set()
    for a_id, b_id in hard_partners(articles).items():
        if not b_id or frozenset((a_id, b_id)) in seen:
            continue
        seen.add(frozenset((a_id, b_id)))
        half = half_of(a_id)
        pairs += [Pair(docs[a_id], docs[b_id], False, "hard", half),
                  Pair(variants[a_id][1], docs[b_id], False, "variant-hard", half),
                  Pair(docs[a_id], quoting(by_id[b_id], by_id[a_id], rng), False, "quoting", half)]
    for half in ("tune", "test"):
        ids = sorted(i for i in by_id if half_of(i) == half)
        for _ in range(len(ids)):
            a_id, b_id = rng.sample(ids, 2)
            pairs.append(Pair(variants[a_id][0], variants[b_id][1], False, "random", half))
    return pairs
