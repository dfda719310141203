"""Ingest speed: Warta's Ingestor vs the usual LangChain pipeline, first ingest and re-ingest, in one run.

Each pipeline runs in its own subprocess (so its peak RSS is its own), alternating order between
repetitions so both see the same background load. Timed inside each subprocess, after the models are
loaded: first ingest into a fresh dir, then a second ingest of the same file into the same dir.

    Warta:    Ingestor(settings).ingest([news_id.jsonl])                      (read, clean, chunk, embed, store, BM25)
    baseline: RecursiveCharacterTextSplitter(1000/100) + HuggingFaceEmbeddings(e5 folder, batch 32,
              normalized, "passage: ") + langchain_chroma.Chroma(persist_directory).add_documents
              (re-ingest: the naive pipeline re-embeds and re-adds everything)

Tokens are counted on exactly what each pipeline embedded ("passage: " + text), with the e5 (XLM-R)
tokenizer, capped at 512 (the model truncates there). Also measured: torch matmul peak on this CPU, and the
embedding step's achieved GFLOP/s (formula in ``common.e5_flops``).

The baseline's packages are not Warta's: install them with ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

PIPELINES = ("warta", "baseline")
# name -> (worker, extra environment). The variant shows the effect of torch's OpenMP threads sleeping
# instead of spinning at barriers when other jobs share the cores (nothing else differs).
PASSIVE = {"OMP_WAIT_POLICY": "PASSIVE"}
PASSIVE_W, PASSIVE_B = "warta, OMP passive", "baseline, OMP passive"
VARIANTS = {"warta": ("warta", {}), "baseline": ("baseline", {}), PASSIVE_W: ("warta", PASSIVE),
            PASSIVE_B: ("baseline", PASSIVE)}


# --- subprocess workers ---------------------------------------------------------------------------


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def work_warta(input_path: Path, folder: Path) -> dict:
    from core.models.prepare import load_embedder
    from ingest.ingestor import Ingestor

    settings = common.bench_settings(folder / "data", common.models_path())
    started = time.perf_counter()
    embedder = common.TimedEncoder(load_embedder(settings))
    out = {"load_s": time.perf_counter() - started, "batch_size": settings.embedding.batch_size, "runtime": settings.embedding.runtime,
           "bf16": settings.embedding.bf16, "settings": common.settings_summary(settings)}
    for run in ("first", "reingest"):
        ingestor = Ingestor(settings, embedder=embedder)  # a new run over the same data dir
        embedder.seconds, embedder.calls = 0.0, []
        started, cpu = time.perf_counter(), _cpu_s()
        report = ingestor.ingest([str(input_path)])
        out[run] = {"total_s": time.perf_counter() - started, "cpu_s": _cpu_s() - cpu, "embed_s": embedder.seconds,
                    "chunks": report.chunks_embedded, "summary": report.summary(), "calls": embedder.calls}
        ingestor.index.close()
    return out


class _TimedEmbeddings:
    """LangChain ``Embeddings`` wrapper recording the time and texts of ``embed_documents``."""

    def __init__(self, inner) -> None:
        self.inner, self.seconds, self.calls = inner, 0.0, []

    def embed_documents(self, texts):
        started = time.perf_counter()
        out = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        self.calls.append(["passage: " + t for t in texts])
        return out

    def embed_query(self, text):
        return self.inner.embed_query(text)


def work_baseline(input_path: Path, folder: Path) -> dict:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    model = common.models_path() / "multilingual-e5-small"
    started = time.perf_counter()
    embeddings = _TimedEmbeddings(HuggingFaceEmbeddings(
        model_name=str(model), encode_kwargs={"normalize_embeddings": True, "prompt": "passage: ", "batch_size": 32},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": "query: "},
    ))
    out = {"load_s": time.perf_counter() - started, "batch_size": 32, "bf16": False}
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100)
    for run in ("first", "reingest"):
        embeddings.seconds, embeddings.calls = 0.0, []
        started, cpu = time.perf_counter(), _cpu_s()
        docs = [Document(page_content=r["text"], metadata={"id": r["id"], "title": r["title"] or ""})
                for r in common.read_jsonl(input_path)]
        chunks = splitter.split_documents(docs)
        store = Chroma(collection_name="news", embedding_function=embeddings, persist_directory=str(folder / "chroma"),
                       client_settings=chromadb.Settings(anonymized_telemetry=False))
        store.add_documents(chunks)
        out[run] = {"total_s": time.perf_counter() - started, "cpu_s": _cpu_s() - cpu, "embed_s": embeddings.seconds,
                    "chunks": len(chunks),
                    "stored": store._collection.count(), "calls": embeddings.calls}
    return out


def work_peak(seconds: float) -> dict:
    """Best and median GFLOP/s of torch matmuls on 2 threads: square 2048 and an e5 FFN-shaped one."""
    import os

    import torch

    policy = os.environ.get("OMP_WAIT_POLICY", "default")
    torch.set_num_threads(2)
    shapes = {"2048x2048x2048": (2048, 2048, 2048), "e5 FFN 1024x384x1536": (1024, 384, 1536)}
    out = {}
    for label, (m, k, n) in shapes.items():
        for dtype in (torch.float32, torch.bfloat16):
            a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
            for _ in range(2):
                a @ b
            rates, end = [], time.perf_counter() + seconds
            while time.perf_counter() < end or len(rates) < 3:
                started = time.perf_counter()
                a @ b
                rates.append(2 * m * k * n / (time.perf_counter() - started) / 1e9)
            out[f"{label} {str(dtype).removeprefix('torch.')}, {policy}"] = {"best": max(rates), "median": common.median(rates)}
    return out


def worker_main(args: argparse.Namespace) -> None:
    if args.worker == "peak":
        result = work_peak(args.peak_seconds)
    else:
        result = (work_warta if args.worker == "warta" else work_baseline)(Path(args.input), Path(args.dir))
    # VmHWM starts afresh at exec; ru_maxrss may carry the parent's peak over into the child (it reported the
    # same 2.35 GB for both pipelines on 2026-12-01)
    result["peak_rss_kb"] = common.status_kb("self", "VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(args.out).write_text(json.dumps(result))


def run_worker(kind: str, args: argparse.Namespace, scratch: Path, input_path: Path, tag: str,
               env: dict[str, str] | None = None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"{kind}-{tag}-", dir=scratch))
    out = folder / "result.json"
    cmd = [sys.executable, __file__, "--worker", kind, "--input", str(input_path), "--dir", str(folder),
           "--out", str(out), "--peak-seconds", str(args.peak_seconds)]
    before = common.loadavg()
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=common.child_env(**{common.MODELS_ENV: str(common.models_path())}, **(env or {})),
                   cwd=common.REPO)
    result = json.loads(out.read_text())
    result.update(wall_s=time.perf_counter() - started, loadavg_before=before, loadavg_after=common.loadavg())
    shutil.rmtree(folder, ignore_errors=True)
    print(f"  {kind} {env or ''} {tag}: done in {result['wall_s']:.0f} s, load {before} -> {result['loadavg_after']}", file=sys.stderr)
    return result


# --- analysis -------------------------------------------------------------------------------------


def token_stats(calls: list[list[str]], tokenizer, batch_size: int, sort_by_chars: bool) -> dict:
    """Real tokens, padded (computed) tokens and FLOPs, simulating how each pipeline forms batches.

    Warta: per encode call, stable sort by token count, batches of ``batch_size``.
    sentence-transformers (baseline): per call, sort by character count (descending), batches of 32.
    """
    real = padded = useful_flops = computed_flops = 0
    for texts in calls:
        lengths = [min(len(e.ids), common.E5_MAX_TOKENS) for e in tokenizer.encode_batch(texts)]
        if sort_by_chars:
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        else:
            order = sorted(range(len(texts)), key=lambda i: lengths[i])
        for start in range(0, len(order), batch_size):
            batch = [lengths[i] for i in order[start : start + batch_size]]
            width = max(batch)
            real += sum(batch)
            padded += width * len(batch)
            useful_flops += sum(common.e5_flops(n) for n in batch)
            computed_flops += len(batch) * common.e5_flops(width)
    return {"tokens": real, "padded_tokens": padded, "padding_share": 1 - real / padded if padded else 0.0,
            "useful_gflop": useful_flops / 1e9, "computed_gflop": computed_flops / 1e9}


def summarize(runs: dict[str, list[dict]], tokenizer) -> dict:
    out = {}
    for name, reps in runs.items():
        stats = token_stats(reps[0]["first"]["calls"], tokenizer, reps[0]["batch_size"],
                            sort_by_chars=name == "baseline")
        first = [r["first"] for r in reps]
        again = [r["reingest"] for r in reps]
        embed_s = common.median([f["embed_s"] for f in first])
        total_s = common.median([f["total_s"] for f in first])
        cpu_s = common.median([f["cpu_s"] for f in first])
        out[name] = {
            **stats, "chunks": first[0]["chunks"], "embed_s": embed_s, "total_s": total_s,
            "cpu_s": cpu_s, "tokens_per_cpu_s": stats["tokens"] / cpu_s,
            "embed_s_all": [f["embed_s"] for f in first], "total_s_all": [f["total_s"] for f in first],
            "chunks_per_s": first[0]["chunks"] / total_s, "tokens_per_s_embed": stats["tokens"] / embed_s,
            "tokens_per_s_total": stats["tokens"] / total_s,
            "gflops_useful": stats["useful_gflop"] / embed_s, "gflops_computed": stats["computed_gflop"] / embed_s,
            "reingest_s": common.median([a["total_s"] for a in again]), "reingest_s_all": [a["total_s"] for a in again],
            "reingest_chunks_embedded": again[0]["chunks"], "load_s": common.median([r["load_s"] for r in reps]),
            "peak_rss_gb": common.gb(max(r["peak_rss_kb"] for r in reps)),
            "loadavg": [r["loadavg_before"] for r in reps], "bf16": reps[0]["bf16"], "runtime": reps[0].get("runtime", "torch"), "settings": reps[0].get("settings"),
        }
        if name.startswith("warta"):
            out[name]["summaries"] = [r["first"]["summary"] for r in reps] + [r["reingest"]["summary"] for r in reps]
    return out


def ratio_rows(s: dict, fast: str, slow: str) -> list[list]:
    f, b = s[fast], s[slow]
    speed, wall, again = f["tokens_per_s_total"] / b["tokens_per_s_total"], b["total_s"] / f["total_s"], \
        b["reingest_s"] / f["reingest_s"]
    paired = ", ".join(f"{y / x:.2f}x" for x, y in zip(f["total_s_all"], b["total_s_all"]))
    return [
        [f"{fast} / {slow}: tokens/s, whole first ingest", f"{speed:.2f}x", ">= 2x", "yes" if speed >= 2 else "no"],
        [f"{fast} / {slow}: tokens/s, embedding step only",
         f"{f['tokens_per_s_embed'] / b['tokens_per_s_embed']:.2f}x", "", ""],
        [f"{fast} / {slow}: tokens per CPU second, whole first ingest",
         f"{f['tokens_per_cpu_s'] / b['tokens_per_cpu_s']:.2f}x", "", ""],
        [f"{fast} / {slow}: wall time, first ingest (paired per rep: {paired})", f"{wall:.2f}x", ">= 2x",
         "yes" if wall >= 2 else "no"],
        [f"{fast} / {slow}: wall time, re-ingest of the unchanged corpus", f"{again:.0f}x", ">= 50x",
         "yes" if again >= 50 else "no"],
    ]


def render(s: dict, peaks: list[dict], args: argparse.Namespace, n_articles: int) -> str:
    rows = [[name, p["chunks"], f"{p['tokens']:,}", f"{p['padding_share']:.0%}", p["embed_s"], p["total_s"], p["cpu_s"],
             p["chunks_per_s"], p["tokens_per_s_embed"], p["tokens_per_s_total"], p["tokens_per_cpu_s"], p["reingest_s"],
             p["peak_rss_gb"], " / ".join(str(load[0]) for load in p["loadavg"])]
            for name, p in s.items()]
    chunking = s["warta"]["settings"]["chunking"]
    body = (f"Warta settings: chunk_tokens {chunking['chunk_tokens']}, overlap_tokens {chunking['overlap_tokens']}, "
            f"title_prefix {chunking['title_prefix']}, embedding batch {s['warta']['settings']['embedding']['batch_size']}"
            f", runtime {s['warta']['runtime']}, bf16 {s['warta']['bf16']}. ")
    body += (f"{n_articles} articles of `{args.input}`, {args.reps} repetitions (order alternates; medians shown; "
            "peak RSS = max over repetitions). Per repetition (s), first / re-ingest: "
            + "; ".join(f"{name} {[round(x, 1) for x in p['total_s_all']]} / {[round(x, 2) for x in p['reingest_s_all']]}"
                        for name, p in s.items()) + ".\n\n")
    body += common.table(["pipeline", "chunks", "XLM-R tokens", "padding", "embed s", "total s", "CPU s", "chunks/s",
                          "tok/s (embed)", "tok/s (total)", "tok per CPU s", "re-ingest s", "peak RSS GB",
                          "load (1 min) per rep"], rows)
    ratios = ratio_rows(s, "warta", "baseline")
    for fast, slow in ((PASSIVE_W, PASSIVE_B), (PASSIVE_W, "baseline")):
        if fast in s and slow in s:
            ratios += ratio_rows(s, fast, slow)
    body += "\n\n" + common.table(["ratio", "value", "target", "met"], ratios)

    body += "\n\n### Matrix-multiply peak (torch, 2 threads) and the embedding step's share of it\n\n"
    keys = list(dict.fromkeys(k for p in peaks for k in p))
    body += common.table(["matmul (M x K x N, dtype, OpenMP policy)", "best GFLOP/s", "median GFLOP/s", "samples"],
                         [[k, max(p[k]["best"] for p in peaks if k in p),
                           common.median([p[k]["median"] for p in peaks if k in p]), sum(k in p for p in peaks)]
                          for k in keys])
    fp32 = max(p[k]["best"] for p in peaks for k in p if k.startswith("2048") and "float32" in k)
    bf16 = max(p[k]["best"] for p in peaks for k in p if k.startswith("2048") and "bfloat16" in k)
    body += ("\n\nFLOPs per sequence of n tokens = 2 x 21.3M x n + 4 x 12 x 384 x n^2 (weights, plus attention "
             "scores and mixing; softmax, GELU and norms left out). \"Useful\" counts real tokens, \"computed\" "
             f"padded batches. % of peak: against the best 2048^3 matmul of this run (fp32 {fp32:.0f}, bf16 {bf16:.0f} "
             "GFLOP/s, either OpenMP policy).\n\n")
    body += common.table(["pipeline", "dtype", "useful GFLOP", "useful GFLOP/s", "computed GFLOP/s",
                          "% of fp32 peak", "% of bf16 peak"], [
        [name, "bf16" if p["bf16"] else "fp32", p["useful_gflop"], p["gflops_useful"], p["gflops_computed"],
         f"{p['gflops_useful'] / fp32:.0%}", f"{p['gflops_useful'] / bf16:.0%}"] for name, p in s.items()])
    return body


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--input", type=Path, default=common.DEV / "news_id.jsonl", help="articles (JSONL)")
    parser.add_argument("--limit", type=int, help="only the first N articles (quick runs)")
    parser.add_argument("--reps", type=int, default=2, help="repetitions of each pipeline (default 2)")
    parser.add_argument("--peak-seconds", type=float, default=1.5, help="seconds per matmul peak measurement")
    parser.add_argument("--passive-variant", action=argparse.BooleanOptionalAction, default=True,
                        help="also run both pipelines with OMP_WAIT_POLICY=PASSIVE (default: yes)")
    parser.add_argument("--worker", choices=[*PIPELINES, "peak"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args)
        return

    info = common.machine()
    models = common.models_dir()
    common.SCRATCH.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="ingest-", dir=common.SCRATCH))
    try:
        rows = common.read_jsonl(args.input, args.limit)
        input_path = args.input
        if args.limit:  # a subset file in scratch (the data stays out of the repository)
            input_path = scratch / f"{args.input.stem}-{args.limit}.jsonl"
            input_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        names = list(VARIANTS) if args.passive_variant else list(PIPELINES)
        runs: dict[str, list[dict]] = {name: [] for name in names}
        peaks = []
        for rep in range(args.reps):
            peaks.append(run_worker("peak", args, scratch, input_path, f"rep{rep}"))
            if args.passive_variant:
                peaks.append(run_worker("peak", args, scratch, input_path, f"rep{rep}", PASSIVE))
            for name in names if rep % 2 == 0 else names[::-1]:
                worker, env = VARIANTS[name]
                runs[name].append(run_worker(worker, args, scratch, input_path, f"rep{rep}", env))
        peaks.append(run_worker("peak", args, scratch, input_path, "end"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(models / "multilingual-e5-small" / "tokenizer.json"))
    summary = summarize(runs, tokenizer)
    peaks_only = [{k: v for k, v in p.items() if isinstance(v, dict)} for p in peaks]
    body = render(summary, peaks_only, args, len(rows))
    for p in runs.values():  # the embedded texts are not worth keeping in the JSON
        for r in p:
            for run in ("first", "reingest"):
                r[run].pop("calls", None)
    common.publish("ingest", "Ingest: Warta vs the usual LangChain pipeline", info, body,
                   {"articles": len(rows), "reps": args.reps, "summary": summary, "runs": runs, "matmul_peaks": peaks})


if __name__ == "__main__":
    main()
