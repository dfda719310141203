"""The ``warta`` command line: parse, call the library, print. Library errors become one-line messages."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

from ingest.errors import WartaError
from ingest.settings import Settings, load_settings

EXIT_OK, EXIT_FAILED_ITEMS, EXIT_ERROR = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "data_dir", None):
        os.environ["WARTA_DATA_DIR"] = args.data_dir
    overrides: dict[str, dict[str, Any]] = {}
    if getattr(args, "backend", None):
        overrides.setdefault("answer", {})["backend"] = args.backend
    if getattr(args, "allow_private_urls", False):
        overrides.setdefault("ingest", {})["allow_private_urls"] = True
    from pathlib import Path

    return load_settings(Path(args.config) if getattr(args, "config", None) else None, overrides)


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# --- commands -------------------------------------------------------------------------------------


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.models import prepare_all

    for name, path in prepare_all(settings).items():
        print(f"ready: {name} -> {path}")
    if not args.no_llm and settings.answer.backend == "local":
        from assistant.backends import prepare_local_model

        print(f"ready: answer model -> {prepare_local_model(settings)}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from ingest.pipeline import Ingestor

    ingestor = Ingestor(settings)
    for stale in ingestor.index.stale_indexes():
        print(f"note: {stale.articles} articles were indexed with other settings; run `warta reindex` to bring them "
              "into the current index.", file=sys.stderr)
    bar = tqdm(unit=" articles", disable=None if not args.quiet else True, file=sys.stderr, dynamic_ncols=True)

    def progress(result, chunks_embedded: int) -> None:
        bar.update(1)
        elapsed = max(bar.format_dict["elapsed"], 1e-6)
        bar.set_postfix_str(f"{chunks_embedded} chunks, {chunks_embedded / elapsed:.1f} chunks/s", refresh=False)
        if result.status == "failed":
            bar.write(f"failed: {result.item}: {result.reason}", file=sys.stderr)

    try:
        report = ingestor.ingest(args.sources, progress=progress)
    finally:
        bar.close()
    if args.json:
        _print_json({"results": [r.__dict__ for r in report.results], "seconds": report.seconds,
                     "chunks_embedded": report.chunks_embedded})
    else:
        for r in report.results:
            if r.status in ("added", "updated") and args.verbose:
                print(f"{r.status}: {r.title} ({r.chunks} chunks) [{r.article_id}]")
        print(report.summary())
        for r in report.failed:
            print(f"  failed: {r.item}: {r.reason}")
    return EXIT_FAILED_ITEMS if report.failed else EXIT_OK


def _filters(args: argparse.Namespace):
    from assistant.retrieve import Filters

    return Filters(
        date_from=args.date_from or "", date_to=args.date_to or "", outlets=tuple(args.outlet or ()),
        langs=tuple(args.lang or ()), article_ids=tuple(args.article or ()),
    )


def _batch_requests():
    """``(id, question)`` from JSONL lines on stdin; a bad line gets an error line in the output instead."""
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            question = str(request["question"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            _print_json({"line": lineno, "error": f"expected {{\"id\", \"question\"}}: {exc}"})
            continue
        yield request.get("id"), question


def _hit_json(hit) -> dict[str, Any]:
    return {"article_id": hit.article_id, "chunk_id": hit.chunk_id, "title": hit.title, "url": hit.url,
            "published": hit.published, "outlet": hit.outlet, "score": round(hit.score, 6),
            "dense": None if hit.dense is None else round(hit.dense, 4), "text": hit.text}


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    assistant = Assistant(settings)
    filters = _filters(args)
    if args.query is None:  # batch mode: JSONL {"id", "question"} on stdin, one result line per query
        for request_id, question in _batch_requests():
            found = assistant.search(question, k=args.k, filters=filters, mode=args.mode)
            _print_json({"id": request_id, "hits": [_hit_json(h) for h in found.hits]})
        return EXIT_OK
    found = assistant.search(args.query, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        _print_json({"query": args.query, "language": found.language, "relevant": found.relevant,
                     "timings_ms": found.timings_ms, "hits": [_hit_json(h) for h in found.hits]})
        return EXIT_OK
    if not found.hits:
        print("No matching passages.")
    for rank, hit in enumerate(found.hits, start=1):
        meta = " · ".join(x for x in (hit.outlet, hit.published, hit.url) if x)
        print(f"{rank}. [{hit.score:.4f}] {hit.title}  ({hit.article_id})")
        if meta:
            print(f"   {meta}")
        print("   " + hit.text.replace("\n", " ")[: args.width] + ("…" if len(hit.text) > args.width else ""))
    if found.hits and not found.relevant:
        print("(none of these passed the relevance floor: answers would say the articles do not cover this)")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.index import Index

    articles = Index(settings).catalog.articles()
    if args.json:
        _print_json([a.to_dict() for a in articles])
        return EXIT_OK
    if not articles:
        print("No articles yet. Add some with `warta ingest PATH|URL`.")
    for a in articles:
        print(f"{a.id}\t{a.published or '----------'}\t{a.lang}\t{a.n_chunks:>3} chunks\t{a.outlet or '-'}\t{a.title}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.index import Index

    index = Index(settings)
    status = EXIT_OK
    for ref in args.refs:
        info = index.remove(ref)
        if info is None:
            print(f"not found: {ref!r} (use an id or URL from `warta list`)", file=sys.stderr)
            status = EXIT_FAILED_ITEMS
        else:
            print(f"removed: {info.title} ({info.n_chunks} chunks) [{info.id}]")
    return status


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.index import Index

    index = Index(settings)
    n_articles, n_chunks = index.catalog.counts()
    articles = index.catalog.articles()
    langs: dict[str, int] = {}
    for a in articles:
        langs[a.lang] = langs.get(a.lang, 0) + 1
    stats = {
        "data_dir": str(settings.data_dir), "index": index.key, "store": settings.store.mode,
        "articles": n_articles, "chunks": n_chunks, "vectors": index.vectors.count(),
        "keyword_index_chunks": index.keywords.size, "languages": langs, "identity": index.identity,
        "stale_indexes": [{"key": s.key, "articles": s.articles} for s in index.stale_indexes()],
    }
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key:>22}: {value}")
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import reindex

    report = reindex(settings)
    print(report.summary() if report.results else "Nothing to reindex: the index matches the current settings.")
    return EXIT_FAILED_ITEMS if report.failed else EXIT_OK


def _print_sources(answer) -> None:
    if answer.note:
        print(f"\n({answer.note})")
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        meta = " · ".join(x for x in (c.outlet, c.published) if x)
        print(f"  [{c.n}] {c.title}" + (f" — {meta}" if meta else "") + (f"\n      {c.url}" if c.url else ""))
        if c.quote:
            print(f"      “{c.quote}”")
    if answer.unsupported:
        print("\nNot found in the sources: " + " | ".join(answer.unsupported))


def _stream_answer(assistant, question: str, history, filters, backend) -> object:
    """Print the answer as it streams, then the final text when repair changed it, then the sources."""
    from assistant.records import Answer

    streamed = ""
    answer = None
    for event in assistant.stream(question, history, filters=filters, backend=backend):
        if isinstance(event, Answer):
            answer = event
        else:
            streamed += event
            sys.stdout.write(event)
            sys.stdout.flush()
    print()
    if answer.text.strip() != streamed.strip():
        print(f"\n{answer.text}")
    _print_sources(answer)
    return answer


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    assistant = Assistant(settings)
    filters = _filters(args)
    try:
        if args.question is None:  # batch mode: JSONL {"id", "question"} on stdin
            for request_id, question in _batch_requests():
                answer = assistant.ask(question, filters=filters, backend=args.backend)
                _print_json({"id": request_id, **answer.to_json()})
            return EXIT_OK
        if args.json:
            _print_json(assistant.ask(args.question, filters=filters, backend=args.backend).to_json())
        else:
            _stream_answer(assistant, args.question, [], filters, args.backend)
        return EXIT_OK
    finally:
        assistant.close()


def _quiet_warm_up(assistant, backend: str | None) -> None:
    """Load the models while the user types; a failure shows again, with its message, at the first question."""
    try:
        assistant.warm_up(backend)
    except Exception:  # noqa: BLE001
        pass


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    assistant = Assistant(settings)
    filters = _filters(args)
    history: list[dict[str, str]] = []
    threading.Thread(target=_quiet_warm_up, args=(assistant, args.backend), name="warta-warm-up", daemon=True).start()
    print("Warta chat — ask about your articles in Indonesian or English. Empty line or Ctrl-D to quit.")
    try:
        while True:
            try:
                question = input("\n> ").strip()
            except EOFError:
                print()
                return EXIT_OK
            if not question:
                return EXIT_OK
            try:
                answer = _stream_answer(assistant, question, history, filters, args.backend)
            except WartaError as exc:
                print(f"warta: {exc}", file=sys.stderr)
                continue
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
    finally:
        assistant.close()


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from assistant import eval_report
    from assistant.evaluate import evaluate

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.close()
            bars[stage] = tqdm(total=total, desc=stage, unit=" passages" if stage == "ingest" else " questions",
                               disable=True if args.quiet else None, file=sys.stderr, dynamic_ncols=True)
        bars[stage].update(done - bars[stage].n)

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    try:
        run = evaluate(settings, Path(args.passages), [Path(p) for p in args.qa],
                       unanswerable=[Path(p) for p in args.unanswerable or ()], modes=modes, backend=args.backend,
                       retrieval_only=args.retrieval_only, limit=args.limit, seed=args.seed, part=args.part,
                       progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    groups = eval_report.summarize(run)
    sys.stdout.write(eval_report.to_markdown(run, groups))
    if args.out:
        Path(args.out).write_text(json.dumps(eval_report.to_json(run, groups), ensure_ascii=False, indent=1))
        print(f"\nresults: {args.out}")
    if args.plot:
        eval_report.plot(run, groups, Path(args.plot))
        print(f"chart: {args.plot}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from ui.web import serve

    serve(settings, host=args.host, port=args.port, backend=args.backend)
    return EXIT_OK


# --- parser ---------------------------------------------------------------------------------------


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="only articles published on/after")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="only articles published on/before")
    p.add_argument("--outlet", action="append", help="only this outlet (repeatable)")
    p.add_argument("--lang", action="append", choices=["id", "en", "other"], help="only this article language")
    p.add_argument("--article", action="append", metavar="ID", help="only this article id (repeatable)")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warta", description="Cited answers over Indonesian and English news.")
    parser.add_argument("--data-dir", help="data directory (default: WARTA_DATA_DIR or the per-user data dir)")
    parser.add_argument("--config", help="config file (default: WARTA_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("setup", help="prepare the offline models (embeddings, tokenizer, answer model)")
    p.add_argument("--no-llm", action="store_true", help="skip the answer model")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("ingest", help="add articles from files, folders, URLs, feeds, JSON/JSONL or - (stdin)")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--json", action="store_true", help="print the per-item report as JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="list every added/updated article")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--allow-private-urls", action="store_true",
                   help="let URLs, feed links and redirects reach this machine or a private network (refused by "
                   "default; see ingest.allow_private_urls)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="ranked passages for a query (no QUERY: JSONL batch on stdin)")
    p.add_argument("query", nargs="?")
    p.add_argument("--k", type=int, default=None, help="passages to return")
    p.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    p.add_argument("--json", action="store_true")
    p.add_argument("--width", type=int, default=240, help="characters of passage text to show")
    _add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations (no QUESTION: JSONL batch on stdin)")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="print the answer, citations and timings as JSON")
    p.add_argument("--backend", choices=["local", "openai", "extractive"], help="answer backend")
    _add_filters(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="a conversation in the terminal, streamed, with follow-up questions")
    p.add_argument("--backend", choices=["local", "openai", "extractive"], help="answer backend")
    _add_filters(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("list", help="the ingested articles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("remove", help="remove articles by id or URL")
    p.add_argument("refs", nargs="+", metavar="ID|URL")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("stats", help="index size and settings")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("reindex", help="rebuild articles indexed with other embedding/chunking settings")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("eval", help="measure retrieval and answers on a QA set over its own passages (isolated index)")
    p.add_argument("--passages", required=True, metavar="JSONL", help="passages/articles with the ids the QA refers to")
    p.add_argument("--qa", required=True, action="append", metavar="JSONL",
                   help="QA set, JSONL {id, question, answers, gold_passage_id, passages_containing_answer, lang}; "
                   "repeatable")
    p.add_argument("--unanswerable", action="append", metavar="JSONL",
                   help="QA set with no answer in these passages: refusing is correct (repeatable)")
    p.add_argument("--backend", choices=["local", "openai", "extractive"], help="answer backend")
    p.add_argument("--retrieval-only", action="store_true", help="skip answering")
    p.add_argument("--modes", default="hybrid", metavar="M[,M]", help="retrievers to compare: hybrid,dense,keyword")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="a random sample of N questions per QA set")
    p.add_argument("--seed", type=int, default=0, help="seed of the --limit sample (default 0)")
    p.add_argument("--part", choices=["tune", "test", "all"], default="all",
                   help="questions to run: 'tune' (a fifth of each set, chosen by a hash of the question id: what "
                   "defaults may be fitted on), 'test' (the other four fifths: what figures are reported on), 'all'")
    p.add_argument("--out", metavar="JSON", help="write figures and per-question results as JSON")
    p.add_argument("--plot", metavar="PNG", help="write a chart")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="the web UI (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="interface to bind (default ui.host: 127.0.0.1; 0.0.0.0 exposes it, set a login)")
    p.add_argument("--port", type=int, help="port (default ui.port: 7860)")
    p.add_argument("--backend", choices=["local", "openai", "extractive"], help="answer backend")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        return args.func(args, settings)
    except WartaError as exc:
        print(f"warta: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("warta: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
