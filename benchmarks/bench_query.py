"""Retrieval latency (p50/p95) of dense, keyword (BM25) and hybrid search at 1k, 10k and 100k chunks.

Indexes are built through the library's own write path (``Index.write`` + ``refresh_keywords``), so the
catalog, the Chroma collection and the BM25 index are exactly what ``warta ingest`` makes:

- 1k chunks: real articles of news_id.jsonl with their real e5 vectors;
- 10k / 100k: all real articles plus synthetic copies. A copy of an article gets a new id and ~15% of its
  words replaced by words drawn from the corpus (so BM25 postings and chunk texts differ); each of its
  chunks gets the real vector of the original chunk plus Gaussian noise (||noise|| ~ ``--sigma``),
  renormalized. Embedding 100k chunks for real would take about an hour on this machine.

Queries are real: news_id summary queries (long, ~60 words), FacQA questions (short) and xling English questions
(hybrid search over Indonesian passages also embeds their words and searches the lexicon translations), asked through
``Retriever.search`` with the default retrieval settings. For every query the modes and sizes are taken in
rotating order, so all of them see the same background load. The query-embedding time is measured by
wrapping the embedder the retriever is given.

Each query set runs in a subprocess per variant of torch's OpenMP setup for the query embedding (as
shipped; ``OMP_WAIT_POLICY=PASSIVE``; ``embedding.threads=1``), the variant order alternating between the
sets: on a machine shared with other jobs, OpenMP threads that spin at barriers wait for a partner the
scheduler has parked, which is what dominates query latency under load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

import common
import numpy as np

MODES = ("dense", "keyword", "hybrid")
INDEX_VERSION = 1  # bump when the synthetic corpus recipe changes (cached indexes are rebuilt)
WRITE_BATCH = 1000  # chunks per Index.write call


def base_corpus(settings) -> tuple[list, list[list], dict[str, np.ndarray]]:
    """Real articles, their chunks, and the real vectors of every chunk (cached in scratch by content hash)."""
    from core.models.prepare import load_embedder, load_encoding
    from ingest.chunk import chunk_article
    from ingest.sources.load import load_sources

    articles = [a for a in load_sources([str(common.DEV / "news_id.jsonl")], settings.ingest) if hasattr(a, "text")]
    encoding, cfg = load_encoding(settings), settings.chunking
    chunks = [chunk_article(a, encoding, chunk_tokens=cfg.chunk_tokens, overlap_tokens=cfg.overlap_tokens,
                            title_prefix=cfg.title_prefix) for a in articles]
    texts = [c.embed_text for cs in chunks for c in cs]
    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    cache = common.SCRATCH / "query" / f"vectors-{key}.npy"
    if cache.is_file():
        vectors = np.load(cache)
    else:
        import torch

        print(f"embedding {len(texts)} real chunks once (cached at {cache})...", file=sys.stderr)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # preparation, not measured: one thread never waits for a parked partner
        vectors = load_embedder(settings).passages(texts)
        torch.set_num_threads(threads)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    return articles, chunks, dict(zip((c.id for cs in chunks for c in cs), vectors))


def mutate(text: str, vocab: list[str], rng: random.Random, share: float = 0.15) -> str:
    return re.sub(r"\w+", lambda m: rng.choice(vocab) if rng.random() < share else m.group(), text)


def corpus_items(size: int, articles, chunks, vectors, settings, sigma: float):
    """Yield ``(article, chunks, vectors)`` until ``size`` chunks: real ones first, then synthetic copies."""
    from core.models.prepare import load_encoding
    from ingest.chunk import chunk_article

    encoding, cfg = load_encoding(settings), settings.chunking
    vocab = [w for a in articles for w in re.findall(r"\w+", a.text)]
    total, copy = 0, 0
    while total < size:
        for n, (article, real) in enumerate(zip(articles, chunks)):
            if total >= size:
                return
            base = np.stack([vectors[c.id] for c in real])
            if copy == 0:
                made, vecs = real, base
            else:
                rng = random.Random(f"{copy}/{n}")
                clone = replace(article, id=f"{article.id}~copy{copy}", url="", text=mutate(article.text, vocab, rng))
                made = chunk_article(clone, encoding, chunk_tokens=cfg.chunk_tokens, overlap_tokens=cfg.overlap_tokens,
                                     title_prefix=cfg.title_prefix)
                noise = np.random.default_rng(zlib.crc32(clone.id.encode())).standard_normal((len(made), base.shape[1]))
                vecs = base[np.minimum(np.arange(len(made)), len(base) - 1)] + sigma * noise / np.sqrt(base.shape[1])
                vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
                article = clone
            total += len(made)
            yield article, made, vecs
        copy += 1


def build_index(size: int, models: Path, base, sigma: float, rebuild: bool):
    """The index of ``size`` chunks in scratch, built once (reused while its recipe is unchanged)."""
    from store.index import Index, identity_key, index_identity

    folder = common.SCRATCH / "query" / f"n{size}"
    settings = common.bench_settings(folder / "data", models)
    recipe = {"size": size, "sigma": sigma, "version": INDEX_VERSION, "index": identity_key(index_identity(settings))}
    stamp = folder / "built.json"
    if rebuild or not stamp.is_file() or json.loads(stamp.read_text())["recipe"] != recipe:
        shutil.rmtree(folder, ignore_errors=True)
        index = Index(settings)
        started, batch, n = time.perf_counter(), [], 0
        with index.write_lock():
            for item in corpus_items(size, *base, settings, sigma):
                batch.append(item)
                n += len(item[1])
                if sum(len(c) for _, c, _ in batch) >= WRITE_BATCH:
                    index.write(batch, [])
                    batch = []
            if batch:
                index.write(batch, [])
            index.refresh_keywords()
        seconds = time.perf_counter() - started
        stamp.write_text(json.dumps({"recipe": recipe, "build_s": seconds, "loadavg": common.loadavg()}))
        print(f"built {n} chunks in {seconds:.0f} s", file=sys.stderr)
        index.close()
    return settings, json.loads(stamp.read_text())


def load_queries(n: int) -> dict[str, list[str]]:
    return {"summary (long)": [r["question"] for r in common.read_jsonl(common.DEV / "news_id_summary_queries.jsonl", n)],
            "FacQA question (short)": [r["question"] for r in common.read_jsonl(common.DEV / "facqa_qa.jsonl", n)],
            # English: hybrid search also embeds up to 8 question words and searches their lexicon translations
            "xling question (English)": [r["question"] for r in common.read_jsonl(common.DEV / "xling_squad_qa.jsonl", n)]}


# Torch's OpenMP setup for the query embedding: name -> (extra environment, embedding.threads).
VARIANTS = {"default": ({}, 0), "OMP_WAIT_POLICY=PASSIVE": ({"OMP_WAIT_POLICY": "PASSIVE"}, 0),
            "embedding.threads=1": ({}, 1)}


def query_worker(variant: str, set_name: str, args: argparse.Namespace) -> None:
    """Run one query set through every size and mode; print the samples as JSON (last stdout line)."""
    from assistant.retrieve import Retriever
    from core.models.dictionary import load_dictionary
    from core.models.lexicon import load_lexicon
    from core.models.prepare import load_embedder
    from store.index import Index

    _, threads = VARIANTS[variant]
    models = common.models_path()
    model = load_embedder(common.bench_settings(common.SCRATCH / "unused", models, embedding={"threads": threads}))
    model.cache_entries = 0  # every query runs at every size and mode: measure the model, not the cache
    embedder = common.TimedEncoder(model, keep_texts=False)
    retrievers = {}
    for size in args.size_list:
        settings = common.bench_settings(common.SCRATCH / "query" / f"n{size}" / "data", models)
        retrievers[size] = Retriever(settings.retrieval, Index(settings), embedder,
                                     lexicon=load_lexicon(settings, model), dictionary=load_dictionary(settings))
    queries = load_queries(args.queries)[set_name]
    combos = [(size, mode) for size in args.size_list for mode in MODES]
    for q in queries[:3]:  # warm-up: model, Chroma segments, BM25 arrays, SQLite pages
        for size, mode in combos:
            retrievers[size].search(q, mode=mode)
    samples = []
    for i, q in enumerate(queries):
        for size, mode in combos[i % len(combos):] + combos[: i % len(combos)]:
            embedder.laps_ms.clear()
            started = time.perf_counter()
            r = retrievers[size].search(q, mode=mode)
            wall = (time.perf_counter() - started) * 1000
            # the question's own call comes first; a cross-lingual hybrid search then embeds its candidates'
            # sentences (``retrieval.sentence_depth``), timed as its "sentences" stage
            embed = embedder.laps_ms[0] if mode != "keyword" and embedder.laps_ms else 0.0
            samples.append({"variant": variant, "set": set_name, "size": size, "mode": mode, "ms": wall,
                            "embed_ms": embed, "vector_ms": r.timings_ms["dense"] - embed,
                            "bm25_ms": r.timings_ms["keyword"], "sentences_ms": r.timings_ms.get("sentences", 0.0)})
    print(json.dumps(samples))


def run_workers(args: argparse.Namespace, variants: list[str]) -> tuple[list[dict], dict[str, list[float]]]:
    """Each (query set, variant) in its own subprocess; the variant order alternates between the sets."""
    samples, loads = [], {v: [] for v in variants}
    for r, set_name in enumerate(load_queries(1)):
        for variant in variants if r % 2 == 0 else variants[::-1]:
            env, _ = VARIANTS[variant]
            loads[variant].append(common.loadavg()[0])
            cmd = [sys.executable, __file__, "--worker", variant, "--set", set_name, "--queries", str(args.queries),
                   "--sizes", args.sizes]
            out = subprocess.run(cmd, env=common.child_env(**env, **{common.MODELS_ENV: str(common.models_path())}),
                                 cwd=common.REPO, check=True, capture_output=True, text=True).stdout
            samples += json.loads(out.strip().splitlines()[-1])
            print(f"  {variant} / {set_name}: done, load {common.loadavg()}", file=sys.stderr)
    return samples, loads


def summarize(samples: list[dict], built: dict) -> list[dict]:
    out = []
    for key in dict.fromkeys((s["variant"], s["set"], s["size"], s["mode"]) for s in samples):
        got = [s for s in samples if (s["variant"], s["set"], s["size"], s["mode"]) == key]
        ms = [s["ms"] for s in got]
        out.append({"variant": key[0], "set": key[1], "size": built[key[2]]["chunks"], "mode": key[3], "n": len(got),
                    "p50_ms": common.median(ms), "p95_ms": common.pctl(ms, 95),
                    "embed_p50_ms": common.median([s["embed_ms"] for s in got]),
                    "vector_p50_ms": common.median([s["vector_ms"] for s in got]),
                    "bm25_p50_ms": common.median([s["bm25_ms"] for s in got]),
                    "sentences_p50_ms": common.median([s.get("sentences_ms", 0.0) for s in got]),
                    "embed_share": sum(s["embed_ms"] for s in got) / sum(ms)})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="index sizes in chunks (comma-separated)")
    parser.add_argument("--queries", type=int, default=50, help="queries per query set (default 50, two sets)")
    parser.add_argument("--sigma", type=float, default=0.25, help="norm of the noise added to copied vectors")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached indexes")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="OpenMP variants to run (comma-separated)")
    parser.add_argument("--worker", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--set", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.size_list = [int(s) for s in args.sizes.split(",")]
    if args.worker:
        query_worker(args.worker, args.set, args)
        return

    from store.index import Index

    info = common.machine()
    models = common.models_dir()
    base = base_corpus(common.bench_settings(common.SCRATCH / "unused", models))
    built = {}
    for size in args.size_list:
        settings, built[size] = build_index(size, models, base, args.sigma, args.rebuild)
        index = Index(settings)
        built[size]["chunks"] = index.counts()[1]
        index.close()
    variants = args.variants.split(",")
    samples, loads = run_workers(args, variants)
    summary = summarize(samples, built)

    rows = [[r["set"], f"{r['size']:,}", r["mode"], r["p50_ms"], r["p95_ms"], r["embed_p50_ms"],
             f"{r['embed_share']:.0%}", r["vector_p50_ms"], r["bm25_p50_ms"], r["sentences_p50_ms"]]
            for r in summary if r["variant"] == variants[0]]
    retrieval = settings.retrieval
    body = (f"Settings: fusion {getattr(retrieval, 'fusion', 'rrf')}, dense_k {retrieval.dense_k}, keyword_k "
            f"{retrieval.keyword_k}, k {retrieval.k}; chunk_tokens {settings.chunking.chunk_tokens}. {args.queries} "
            "queries per set; every query runs in every mode at every size (rotating order). Synthetic copies: noise "
            f"norm {args.sigma} (cosine to the original ~{1 / np.sqrt(1 + args.sigma**2):.2f}). 1-min load average "
            f"when each worker started: {loads}.\n\n### Warta as shipped ({variants[0]})\n\n")
    body += common.table(["queries", "chunks", "mode", "p50 ms", "p95 ms", "query embedding p50 ms",
                          "question embedding share of total", "vector search p50 ms", "BM25 p50 ms",
                          "closest sentences p50 ms"], rows)
    body += "\n\nIndex builds (Index.write + BM25 rebuild, vectors given): " + "; ".join(
        f"{b['chunks']:,} chunks {b['build_s']:.0f} s (load {b['loadavg'][0]})" for b in built.values()) + "\n"
    if len(variants) > 1:
        body += ("\n### Torch OpenMP setup of the query embedding (same queries, one subprocess per variant and set, "
                 "alternating)\n\n")
        body += common.table(["variant", "queries", "chunks", "mode", "p50 ms", "p95 ms", "query embedding p50 ms"],
                             [[r["variant"], r["set"], f"{r['size']:,}", r["mode"], r["p50_ms"], r["p95_ms"],
                               r["embed_p50_ms"]] for r in summary if r["mode"] != "keyword"]) + "\n"
    body += "\nTarget hybrid p50 <= 30 ms at 10k chunks:\n\n" + common.table(
        ["variant", "queries", "hybrid p50 ms", "met"],
        [[r["variant"], r["set"], r["p50_ms"], "yes" if r["p50_ms"] <= 30 else "no"] for r in summary
         if r["mode"] == "hybrid" and abs(r["size"] - 10000) < 1000]) + "\n"
    common.publish("query", "Retrieval latency: dense, keyword, hybrid at 1k / 10k / 100k chunks", info, body,
                   {"settings": common.settings_summary(settings), "sigma": args.sigma, "indexes": built,
                    "summary": summary, "loadavg_per_worker": loads})


if __name__ == "__main__":
    main()
