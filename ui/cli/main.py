"""The ``warta`` command line: parse, call the library, print. Library errors become one-line messages."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from core.errors import InputError, WartaError
from core.settings import RetrievalSettings, Settings, load_settings

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


def _note(message: str) -> None:
    """A line for the user on stderr (waiting for the lock, repairs, warnings)."""
    print(f"warta: {message}", file=sys.stderr, flush=True)


# --- commands -------------------------------------------------------------------------------------


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from core.models.prepare import prepare_all

    for name, path in prepare_all(settings).items():
        print(f"ready: {name} -> {path}")
    if not args.no_llm and settings.answer.backend == "local":
        from assistant.llm.backends import prepare_local_model

        print(f"ready: answer model -> {prepare_local_model(settings)}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from store.index import Index
    from ingest.ingestor import Ingestor

    ingestor = Ingestor(settings, index=Index(settings))
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

    def waiting(message: str) -> None:
        bar.write(f"warta: {message}", file=sys.stderr)

    try:
        report = ingestor.ingest(args.sources, progress=progress, on_wait=waiting)
    finally:
        bar.close()
    if report.repaired:
        _note(f"repaired the index: {report.repaired:,} passages had no vectors (a lost or damaged vector store); "
              "they were embedded again from the catalog.")
    if args.json:
        _print_json({"results": [r.__dict__ for r in report.results], "seconds": report.seconds,
                     "chunks_embedded": report.chunks_embedded, "repaired": report.repaired})
    else:
        for r in report.results:
            if r.status in ("added", "updated") and args.verbose:
                print(f"{r.status}: {r.title} ({r.chunks} chunks) [{r.article_id}]")
        print(report.summary())
        for r in report.results:
            if r.status in ("failed", "duplicate"):
                print(f"  {r.status}: {r.item}: {r.reason}")
    return EXIT_FAILED_ITEMS if report.failed else EXIT_OK


def _filters(args: argparse.Namespace):
    from store.filters import Filters

    return Filters(
        date_from=args.date_from or "", date_to=args.date_to or "", outlets=tuple(args.outlet or ()),
        langs=tuple(args.lang or ()), article_ids=tuple(args.article or ()),
    )


def _batch(answer: Callable[[str, list[dict[str, str]]], dict[str, Any]]) -> int:
    """Batch mode: one JSON line out per JSONL request ``{"id", "question", "history"?}`` on stdin,
    ``{"id", **answer(question, history)}``; ``history`` (optional) is the conversation so far,
    ``[{"role": "user"|"assistant", "content": ...}]``, so a script can replay one.

    A request that cannot be read or that fails, for any reason, gets ``{"id", "error"}`` (``{"line", "error"}``
    without an id) and the batch goes on; the exit code then says something failed.
    """
    from assistant.assistant import question_from
    from assistant.followup import history_from
    from core.text.intake import loads_json

    failed = False
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        request_id = None
        try:
            try:
                request = loads_json(line)
            except ValueError as exc:
                raise InputError(str(exc)) from None
            if not isinstance(request, dict):
                raise InputError(f'expected a JSON object {{"id", "question"}}, got {type(request).__name__}')
            request_id = request.get("id")
            if "question" not in request:
                raise InputError("'question' is missing")
            history = history_from(request.get("history"))
            _print_json({"id": request_id, **answer(question_from(request["question"]), history)})
            continue
        except WartaError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 (no traceback reaches a user; the type names the failure)
            error = f"{type(exc).__name__}: {exc}"
        failed = True
        _print_json({"id": request_id, "error": error} if request_id is not None else {"line": lineno, "error": error})
    return EXIT_FAILED_ITEMS if failed else EXIT_OK


def _hit_json(hit) -> dict[str, Any]:
    return {"article_id": hit.article_id, "chunk_id": hit.chunk_id, "title": hit.title, "url": hit.url,
            "published": hit.published, "outlet": hit.outlet, "score": round(hit.score, 6),
            "dense": None if hit.dense is None else round(hit.dense, 4), "text": hit.text}


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    assistant = Assistant(settings)
    filters = _filters(args)
    if args.query is None:  # batch mode: JSONL {"id", "question"} on stdin, one result line per query
        return _batch(lambda question, _history: {"hits": [_hit_json(h) for h in assistant.search(
            question, k=args.k, filters=filters, mode=args.mode).hits]})
    found = assistant.search(args.query, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        _print_json({"query": args.query, "language": found.language, "relevant": found.relevant,
                     "timings_ms": found.timings_ms, "hits": [_hit_json(h) for h in found.hits]})
        return EXIT_OK
    if not found.hits:
        print("No matching passages.")
        for warning in assistant.index.health().warnings:  # e.g. a lost vector store: say why, and the fix
            _note(f"warning: {warning}")
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
    from store.index import Index

    articles = Index(settings).articles()
    if args.json:
        _print_json([a.to_dict() for a in articles])
        return EXIT_OK
    if not articles:
        print("No articles yet. Add some with `warta ingest PATH|URL`.")
    for a in articles:
        print(f"{a.id}\t{a.published or '----------'}\t{a.lang}\t{a.n_chunks:>3} chunks\t{a.outlet or '-'}\t{a.title}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from store.index import Index

    index = Index(settings)
    status = EXIT_OK
    for ref in args.refs:
        removed = index.remove(ref, on_wait=_note)
        if not removed:
            print(f"not found: {ref!r} (use an id or URL from `warta list`)", file=sys.stderr)
            status = EXIT_FAILED_ITEMS
        for info in removed:
            print(f"removed: {info.title} ({info.n_chunks} chunks) [{info.id}]")
    return status


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from store.index import Index

    index = Index(settings)
    health = index.health()
    langs: dict[str, int] = {}
    for a in index.articles():
        langs[a.lang] = langs.get(a.lang, 0) + 1
    stats = {
        "data_dir": str(settings.data_dir), "index": index.key, "store": settings.store.mode,
        "articles": health.articles, "chunks": health.chunks, "vectors": health.vectors,
        "keyword_index_chunks": health.keywords, "languages": langs, "identity": index.identity,
        "stale_indexes": [{"key": s.key, "articles": s.articles} for s in index.stale_indexes()],
        "warnings": list(health.warnings),
    }
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            if key != "warnings":
                print(f"{key:>22}: {value}")
        for warning in health.warnings:
            _note(f"warning: {warning}")
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.ingestor import reindex

    report = reindex(settings, on_wait=_note)
    if report.set_aside:
        print(f"The vector store could not be read: set aside as {report.set_aside!r} (delete it once all is well).")
    if report.moved.results:
        print(f"Articles indexed with other settings: {report.moved.summary()}")
    else:
        print(f"Rebuilt {report.rebuilt_vectors:,} vectors and the keyword index of {report.rebuilt_articles:,} "
              "articles from the catalog.")
    return EXIT_FAILED_ITEMS if report.moved.failed else EXIT_OK


def _print_sources(answer) -> None:
    if answer.note:
        print(f"\n({answer.note})")
    elif answer.unsupported:
        print(f"\n(removed from the answer, not found in the articles: {' | '.join(answer.unsupported)})")
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        meta = " · ".join(x for x in (c.outlet, c.published) if x)
        print(f"  [{c.n}] {c.title}" + (f" — {meta}" if meta else "") + (f"\n      {c.url}" if c.url else ""))
        if c.quote:
            print(f"      “{c.quote}”")


def _rows(text: str, width: int) -> int:
    """Terminal rows ``text`` takes at ``width`` columns (wide characters count twice)."""
    import unicodedata

    rows = 0
    for line in text.split("\n"):
        cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        rows += max(1, -(-cells // max(width, 1)))
    return rows


def _stream_answer(assistant, question: str, history, filters, backend):
    """Show the answer once. On a terminal it streams as the model writes, and when the checks changed it
    (a sentence removed, a marker repaired) the streamed text is replaced in place by the final one; into a
    pipe or file only the final text is written. Then the sources."""
    import shutil

    stream = assistant.stream(question, history, filters=filters, backend=backend)
    if not sys.stdout.isatty():
        answer = stream.result()
        print(answer.text)
    else:
        streamed = ""
        for piece in stream:
            streamed += piece
            sys.stdout.write(piece)
            sys.stdout.flush()
        answer = stream.answer
        if answer.text.strip() != streamed.strip():
            up = _rows(streamed, shutil.get_terminal_size().columns) - 1
            sys.stdout.write("\r" + (f"\x1b[{up}A" if up else "") + "\x1b[J" + answer.text)
        print()
    _print_sources(answer)
    return answer


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    assistant = Assistant(settings)
    filters = _filters(args)
    try:
        if args.question is None:  # batch mode: JSONL {"id", "question"} on stdin
            return _batch(lambda question, history: assistant.ask(
                question, history, filters=filters, backend=args.backend).to_json())
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
            except Exception as exc:  # noqa: BLE001 (one question failing must not end the conversation)
                print(f"\nwarta: unexpected error ({type(exc).__name__}: {exc}); ask again or report it.",
                      file=sys.stderr)
                continue
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
    finally:
        assistant.close()


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from assistant.eval import report as eval_report
    from assistant.eval.run import evaluate

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
                       unanswerable=[Path(p) for p in args.unanswerable or ()],
                       conversations=[Path(p) for p in args.conversations or ()], modes=modes, backend=args.backend,
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
    from ui.web.app import serve

    serve(settings, host=args.host, port=args.port, backend=args.backend)
    return EXIT_OK


# --- parser ---------------------------------------------------------------------------------------


def _iso_date(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _int_from(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text) if re.fullmatch(r"[+-]?\d{1,9}", text.strip()) else None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, got {text!r}")
        return value

    return parse


def _bounds(section: type, name: str) -> tuple[int, int]:
    """The (ge, le) bounds of a setting, so a flag accepts exactly what the setting does."""
    limits = {type(m).__name__: m for m in section.model_fields[name].metadata}
    return limits["Ge"].ge, limits["Le"].le


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD",
                   help="only articles published on/after")
    p.add_argument("--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD",
                   help="only articles published on/before")
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
    p.add_argument("--k", type=_int_from(*_bounds(RetrievalSettings, "k")), default=None,
                   help="passages to return (1-50; default retrieval.k)")
    p.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")
    p.add_argument("--json", action="store_true")
    p.add_argument("--width", type=_positive_int, default=240, help="characters of passage text to show")
    _add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations (no QUESTION: JSONL batch on stdin, "
                       '{"id", "question", "history": [{"role", "content"}, ...]} per line)')
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
    p.add_argument("--qa", action="append", default=[], metavar="JSONL",
                   help="QA set, JSONL {id, question, answers, gold_passage_id, passages_containing_answer, lang}; "
                   "repeatable")
    p.add_argument("--unanswerable", action="append", metavar="JSONL",
                   help="QA set with no answer in these passages: refusing is correct (repeatable)")
    p.add_argument("--conversations", action="append", metavar="JSONL",
                   help="follow-up conversations {id, passages, turns[], answers[], lang}: those about --passages are "
                   "replayed and their last turn scored (repeatable)")
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
    p.add_argument("--port", type=_int_from(1, 65535), help="port (default ui.port: 7860)")
    p.add_argument("--backend", choices=["local", "openai", "extractive"], help="answer backend")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "date_from", None) and getattr(args, "date_to", None) and args.date_from > args.date_to:
        parser.error(f"--from {args.date_from} is after --to {args.date_to}: no article can match")
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
    except Exception as exc:  # noqa: BLE001 (a bug: still one line, never a traceback, for the user)
        print(f"warta: unexpected error ({type(exc).__name__}: {exc}). This is a bug in Warta; please report it with "
              "the command you ran.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
