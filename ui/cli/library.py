"""``warta setup``, ``ingest``, ``list``, ``remove``, ``stats`` and ``reindex``: the models and the article index."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from core.settings import Settings
from ui.cli.output import EXIT_FAILED_ITEMS, EXIT_OK, note, print_json

if TYPE_CHECKING:
    from core.records import ArticleInfo
    from ingest.ingestor import ItemResult


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from core.models.prepare import prepare_all

    prepared = prepare_all(settings)
    for name, path in prepared.ready.items():
        print(f"ready: {name} -> {path}")
    if "dictionary" in prepared.missing:
        note(f"{prepared.missing['dictionary']}; English questions over Indonesian articles use the e5 lexicon "
             "alone. `warta setup` tries again.")
    if not args.no_llm and settings.answer.backend == "local":
        from core.models.prepare import prepare_local_model

        print(f"ready: answer model -> {prepare_local_model(settings)}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from ingest.ingestor import Ingestor
    from store.index import Index

    ingestor = Ingestor(settings, index=Index(settings))
    for stale in ingestor.index.stale_indexes():
        print(f"note: {stale.articles} articles were indexed with other settings; run `warta reindex` to bring them "
              "into the current index.", file=sys.stderr)
    bar = tqdm(unit=" articles", disable=None if not args.quiet else True, file=sys.stderr, dynamic_ncols=True)

    def progress(result: ItemResult, chunks_embedded: int) -> None:
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
        note(f"repaired the index: {report.repaired:,} passages had no vectors (a lost or damaged vector store); "
              "they were embedded again from the catalog.")
    if args.json:
        print_json({"results": [r.__dict__ for r in report.results], "seconds": report.seconds,
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


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from store.index import Index

    index = Index(settings)
    if args.stories:
        return _list_stories(index.stories(), as_json=args.json)
    articles = index.articles()
    if args.json:
        print_json([a.to_json() for a in articles])
        return EXIT_OK
    if not articles:
        print("No articles yet. Add some with `warta ingest PATH|URL`.")
    for a in articles:
        when = f"{a.published} ({a.date_source})" if a.published and a.date_source else a.published or "no date"
        print(f"{a.id}\t{when}\t{a.lang}\t{a.n_chunks:>3} chunks\t{a.outlet or '-'}\t{a.title}")
    return EXIT_OK


def _list_stories(stories: dict[str, list[ArticleInfo]], *, as_json: bool) -> int:
    """Each story with its members (outlet, date, title, id), earliest first."""
    if as_json:
        print_json([{"story_id": story, "articles": [a.to_json() for a in members]}
                    for story, members in stories.items()])
        return EXIT_OK
    if not stories:
        print("No stories: no two stored articles are near-identical copies of one another.")
    for story, members in stories.items():
        print(f"story {story} ({len(members)} articles)")
        for a in members:
            print(f"  {a.published or 'no date'}\t{a.outlet or '-'}\t{a.title}\t[{a.id}]")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from store.index import Index

    index = Index(settings)
    status = EXIT_OK
    for ref in args.refs:
        removed = index.remove(ref, on_wait=note)
        if not removed:
            print(f"not found: {ref!r} (use an id or URL from `warta list`)", file=sys.stderr)
            status = EXIT_FAILED_ITEMS
        for info in removed:
            print(f"removed: {info.title} ({info.n_chunks} chunks) [{info.id}]")
    return status


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from store.index import Index

    stats = Index(settings).stats()
    if args.json:
        print_json(stats)
    else:
        for key, value in stats.items():
            if key != "warnings":
                print(f"{key:>22}: {value}")
        for warning in stats["warnings"]:
            note(f"warning: {warning}")
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.ingestor import reindex

    report = reindex(settings, on_wait=note)
    if report.set_aside:
        print(f"The vector store could not be read: set aside as {report.set_aside!r} (delete it once all is well).")
    if report.moved.results:
        print(f"Articles indexed with other settings: {report.moved.summary()}")
    else:
        print(f"Rebuilt {report.rebuilt_vectors:,} vectors and the keyword index of {report.rebuilt_articles:,} "
              "articles from the catalog.")
    return EXIT_FAILED_ITEMS if report.moved.failed else EXIT_OK
