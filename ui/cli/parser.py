"""The ``warta`` argument parser: one sub-command per task, choices taken from the settings' and library's types."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import get_args

from pydantic import BaseModel

from assistant.eval.metrics import Part
from core.settings import BackendName, RetrievalSettings, SearchMode, Settings
from core.text.calendar import iso_day
from core.text.lang import ArticleLang, Lang
from ui.cli.answers import cmd_ask, cmd_chat, cmd_search
from ui.cli.brief import cmd_brief
from ui.cli.evaluate import cmd_eval
from ui.cli.feeds import cmd_feeds_add, cmd_feeds_list, cmd_feeds_remove, cmd_feeds_run
from ui.cli.library import cmd_ingest, cmd_list, cmd_reindex, cmd_remove, cmd_setup, cmd_stats
from ui.cli.output import EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from ui.web.server import serve

    serve(settings, host=args.host, port=args.port, backend=args.backend)
    return EXIT_OK


def _iso_date(text: str) -> str:
    try:
        return iso_day(text).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _int_from(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text) if re.fullmatch(r"[+-]?\d{1,9}", text.strip()) else None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, got {text!r}")
        return value

    return parse


def _bounds(section: type[BaseModel], name: str) -> tuple[int, int]:
    """The (ge, le) bounds of a setting, so a flag accepts exactly what the setting does."""
    limits = {type(m).__name__: m for m in section.model_fields[name].metadata}
    return limits["Ge"].ge, limits["Le"].le


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD",
                   help="only articles published on/after")
    p.add_argument("--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD",
                   help="only articles published on/before")
    p.add_argument("--outlet", action="append", help="only this outlet (repeatable)")
    p.add_argument("--lang", action="append", choices=get_args(ArticleLang), help="only this article language")
    p.add_argument("--article", action="append", metavar="ID", help="only this article id (repeatable)")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warta", description="Cited answers over Indonesian and English news.")
    parser.add_argument("--data-dir", help="data directory (default: WARTA_DATA_DIR or the per-user data dir)")
    parser.add_argument("--config", help="config file (default: WARTA_CONFIG or ./config.toml)")
    parser.add_argument("--now", type=_iso_date, metavar="YYYY-MM-DD",
                        help="the day questions are asked on: what 'kemarin' or 'last week' count from (default: "
                        "WARTA_NOW, time.now or today)")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_ingest_commands(sub)
    _add_answer_commands(sub)
    _add_manage_commands(sub)
    _add_feeds_commands(sub)
    _add_eval_command(sub)
    p = sub.add_parser("serve", help="the web UI (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="interface to bind (default ui.host: 127.0.0.1; 0.0.0.0 exposes it, set a login)")
    p.add_argument("--port", type=_int_from(1, 65535), help="port (default ui.port: 7860)")
    _add_backend(p)
    p.set_defaults(func=cmd_serve)
    return parser


Commands = argparse._SubParsersAction  # what ``add_subparsers`` returns (argparse names no public type for it)


def _add_backend(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=get_args(BackendName), help="answer backend")


def _add_ingest_commands(sub: Commands) -> None:
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


def _add_manage_commands(sub: Commands) -> None:
    p = sub.add_parser("list", help="the ingested articles")
    p.add_argument("--json", action="store_true")
    p.add_argument("--stories", action="store_true",
                   help="the stories instead: near-identical articles of several outlets, earliest first")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("brief", help="what came in since a moment: one item per story, newest first, cited")
    p.add_argument("--since", default="24h", metavar="SPAN|DAY|MOMENT",
                   help="articles stored since: a span back from now ('24h', '7d', '30m'), a day (YYYY-MM-DD) or a "
                        "moment (YYYY-MM-DDTHH:MM[+zone]; default 24h)")
    p.add_argument("--lang", choices=get_args(Lang),
                   help="the briefing's language (default: the topic's, else ui.language)")
    p.add_argument("--topic", help="only the articles about this (searched among those that came in)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("remove", help="remove articles by id or URL")
    p.add_argument("refs", nargs="+", metavar="ID|URL")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("stats", help="index size and settings")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("reindex", help="rebuild articles indexed with other embedding/chunking settings")
    p.set_defaults(func=cmd_reindex)


def _add_feeds_commands(sub: Commands) -> None:
    feeds = sub.add_parser("feeds", help="RSS/Atom feeds polled for new articles (by `warta serve`, or `feeds run`)")
    cmds = feeds.add_subparsers(dest="feeds_command", required=True)
    p = cmds.add_parser("add", help="poll a feed (due at once)")
    p.add_argument("url", metavar="URL")
    p.add_argument("--every", metavar="INTERVAL", help="how often: 30m, 2h, 1d (default feeds.default_every)")
    p.add_argument("--outlet", metavar="NAME", help="outlet of its articles (default: the feed's title)")
    p.set_defaults(func=cmd_feeds_add)

    p = cmds.add_parser("list", help="the feeds with their state: last success, last error, next poll, counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_feeds_list)

    p = cmds.add_parser("remove", help="stop polling feeds (their articles stay)")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.set_defaults(func=cmd_feeds_remove)

    p = cmds.add_parser("run", help="poll the due feeds once (for cron); exit code 1 when one failed")
    p.add_argument("--all", action="store_true", help="poll every feed, due or not")
    p.add_argument("--allow-private-urls", action="store_true",
                   help="let feeds, their links and redirects reach this machine or a private network")
    p.set_defaults(func=cmd_feeds_run)


def _add_answer_commands(sub: Commands) -> None:
    p = sub.add_parser("search", help="ranked passages for a query (no QUERY: JSONL batch on stdin)")
    p.add_argument("query", nargs="?")
    p.add_argument("--k", type=_int_from(*_bounds(RetrievalSettings, "k")), default=None,
                   help="passages to return (1-50; default retrieval.k)")
    p.add_argument("--mode", choices=get_args(SearchMode), default="hybrid")
    p.add_argument("--json", action="store_true")
    p.add_argument("--width", type=_positive_int, default=240, help="characters of passage text to show")
    _add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations (no QUESTION: JSONL batch on stdin, "
                       '{"id", "question", "history": [{"role", "content"}, ...]} per line)')
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="print the answer, citations and timings as JSON")
    _add_backend(p)
    _add_filters(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="a conversation in the terminal, streamed, with follow-up questions")
    _add_backend(p)
    _add_filters(p)
    p.set_defaults(func=cmd_chat)


def _add_eval_command(sub: Commands) -> None:
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
    p.add_argument("--temporal", action="append", metavar="JSONL",
                   help="questions about time over --passages (benchmarks/data/temporal: each asked on its 'now'; "
                   "hit = an article of the asked range, or the newest evidence for 'latest'); repeatable")
    _add_backend(p)
    p.add_argument("--retrieval-only", action="store_true", help="skip answering")
    p.add_argument("--modes", default="hybrid", metavar="M[,M]",
                   help=f"retrievers to compare: {','.join(get_args(SearchMode))}")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="a random sample of N questions per QA set")
    p.add_argument("--seed", type=int, default=0, help="seed of the --limit sample (default 0)")
    p.add_argument("--part", choices=get_args(Part), default="all",
                   help="questions to run: 'tune' (a fifth of each set, chosen by a hash of the question id: what "
                   "defaults may be fitted on), 'test' (the other four fifths: what figures are reported on), 'all'")
    p.add_argument("--out", metavar="JSON", help="write figures and per-question results as JSON")
    p.add_argument("--plot", metavar="PNG", help="write a chart")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_eval)
