"""A small corpus of real news for tests that need many articles: the first paragraphs of the shared dev
articles, or generated Indonesian reports of the same shape when ``../shared`` is absent (a user's clone).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.conftest import SHARED_EVAL


def news_articles(n: int) -> list[dict]:
    """``n`` JSONL records (id, title, url, date, outlet, lang, text), real when the dev data is there."""
    rows = _real_articles(n) if (SHARED_EVAL / "news_id.jsonl").is_file() else []
    return rows if len(rows) == n else _synthetic_articles(n)


def _lead(text: str, low: int = 280, high: int = 600) -> str:
    """The first paragraphs of an article, at least ``low`` characters, cut at a sentence end near ``high``."""
    lead = ""
    for paragraph in text.split("\n\n"):
        lead = f"{lead}\n\n{paragraph}".strip()
        if len(lead) >= low:
            break
    if len(lead) > high:
        cut = lead.rfind(". ", 0, high)
        lead = lead[: cut + 1] if cut > low // 2 else lead[:high]
    return lead


def _real_articles(n: int) -> list[dict]:
    rows = []
    with (SHARED_EVAL / "news_id.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append({"id": r["id"], "title": r["title"], "url": r.get("url", ""), "date": r.get("date", ""),
                         "outlet": r.get("outlet", ""), "lang": r.get("lang", ""), "text": _lead(r["text"])})
            if len(rows) == n:
                return rows
    return rows


def _synthetic_articles(n: int) -> list[dict]:
    rng = random.Random(7)
    who = ["Pemerintah kota", "Bank Indonesia", "Petani cabai", "Warga desa", "Dinas kesehatan", "Pedagang pasar",
           "Kementerian keuangan", "Polisi lalu lintas", "Guru honorer", "Nelayan setempat"]
    did = ["menaikkan anggaran", "mengeluhkan harga", "meresmikan jembatan", "menolak rencana", "membagikan bantuan",
           "memperbaiki jalan", "menanam padi", "menggelar rapat"]
    where = ["Bandung", "Medan", "Makassar", "Surabaya", "Padang", "Kupang", "Pontianak", "Ambon", "Jayapura"]
    rows = []
    for i in range(n):
        sentences = [
            f"{rng.choice(who)} {rng.choice(did)} di {rng.choice(where)} pada hari ke-{i + 1} bulan ini, "
            f"dengan nilai sekitar Rp{rng.randint(2, 900)} miliar menurut laporan nomor {1000 + i}."
            for _ in range(rng.randint(3, 4))
        ]
        rows.append({"id": f"syn-{i:03d}", "title": f"Laporan daerah nomor {i + 1}: {rng.choice(where)}",
                     "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "lang": "id", "text": " ".join(sentences)})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
