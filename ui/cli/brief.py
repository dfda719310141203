"""``warta brief``: what came in since a moment, one item per story, every sentence cited."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from core.settings import Settings
from ui.cli.output import EXIT_OK, print_json

if TYPE_CHECKING:
    from assistant.brief import Briefing


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant
    from assistant.brief import parse_since

    since = parse_since(args.since, datetime.now(UTC))
    briefing = Assistant(settings).brief(since, language=args.lang or "", topic=args.topic or "")
    if args.json:
        print_json(briefing.to_json())
    else:
        print_briefing(briefing)
    return EXIT_OK


def print_briefing(briefing: Briefing) -> None:
    from assistant.brief import WORDS
    from assistant.cite import with_marker

    words = WORDS[briefing.language if briefing.language in WORDS else "en"]
    since = briefing.since.astimezone().strftime("%Y-%m-%d %H:%M")
    if not briefing.items:
        print(words["empty"].format(since=since))
        return
    print(words["title"].format(since=since, n=len(briefing.items)) + (f" · “{briefing.topic}”" if briefing.topic
                                                                        else ""))
    print(words["quoted"])
    for i, item in enumerate(briefing.items, 1):
        meta = " · ".join(x for x in (item.published, words["copies"].format(n=item.copies) if item.copies > 1 else "")
                          if x)
        print(f"\n{i}. {item.title}" + (f" — {meta}" if meta else ""))
        print("   " + " ".join(with_marker(sentence, [n]) for sentence, n in item.sentences))
        for change in item.changes:
            print(f"   {words['changed']}: {with_marker(change.now, [change.n])} ({words['before']}: "
                  f"{with_marker(change.before, [change.before_n])})")
    print(f"\n{words['sources']}:")
    for c in briefing.citations:
        meta = " · ".join(x for x in (c.outlets(briefing.language), c.published) if x)
        print(f"  [{c.n}] {c.title}" + (f" — {meta}" if meta else "") + (f"\n      {c.url}" if c.url else ""))
