"""``warta search``, ``ask`` and ``chat``: one question, a batch of them (JSONL on stdin), or a conversation."""

from __future__ import annotations

import argparse
import re
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.errors import InputError, WartaError
from core.settings import Settings
from ui.cli.output import EXIT_FAILED_ITEMS, EXIT_OK, note, print_json

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.followup import Message
    from assistant.records import Answer, TimeFocus
    from store.filters import Filters
    from ui.cli.remote import RemoteAssistant


def open_assistant(settings: Settings) -> Assistant | RemoteAssistant:
    """A running ``warta serve`` of this data dir when there is one (its models are loaded), else our own."""
    from ui.cli.remote import connect

    remote = connect(settings)
    if remote is not None:
        return remote
    from assistant.assistant import Assistant

    return Assistant(settings)


def filters_from(args: argparse.Namespace) -> Filters:
    from store.filters import Filters

    return Filters(
        date_from=args.date_from or "", date_to=args.date_to or "", outlets=tuple(args.outlet or ()),
        langs=tuple(args.lang or ()), article_ids=tuple(args.article or ()),
    )


def batch(answer: Callable[[str, list[dict[str, str]]], dict[str, Any]]) -> int:
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
            print_json({"id": request_id, **answer(question_from(request["question"]), history)})
            continue
        except WartaError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 (no traceback reaches a user; the type names the failure)
            error = f"{type(exc).__name__}: {exc}"
        failed = True
        print_json({"id": request_id, "error": error} if request_id is not None else {"line": lineno, "error": error})
    return EXIT_FAILED_ITEMS if failed else EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    assistant = open_assistant(settings)
    filters = filters_from(args)
    if args.query is None:  # batch mode: JSONL {"id", "question"} on stdin, one result line per query
        return batch(lambda question, _history: {"hits": [h.to_json() for h in assistant.search(
            question, k=args.k, filters=filters, mode=args.mode).hits]})
    found = assistant.search(args.query, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        print_json({"query": args.query, "language": found.language, "relevant": found.relevant,
                     "timings_ms": found.timings_ms, "hits": [h.to_json() for h in found.hits],
                     "time": found.time.to_json(found.language) if found.time.asked else None})
        return EXIT_OK
    if line := time_line(found.time):
        print(f"({line})")
    if not found.hits:
        print("No matching passages.")
        for warning in assistant.warnings():  # e.g. a lost vector store: say why, and the fix
            note(f"warning: {warning}")
    from assistant.records import published_by

    for rank, hit in enumerate(found.hits, start=1):
        meta = " · ".join(x for x in (published_by(hit.outlet, hit.also_in, "en"), hit.published, hit.url) if x)
        print(f"{rank}. [{hit.score:.4f}] {hit.title}  ({hit.article_id})")
        if meta:
            print(f"   {meta}")
        print("   " + hit.text.replace("\n", " ")[: args.width] + ("…" if len(hit.text) > args.width else ""))
    if found.hits and not found.relevant:
        print("(none of these passed the relevance floor: answers would say the articles do not cover this)")
    return EXIT_OK


def time_line(focus: TimeFocus) -> str:
    """What the search did with a date range or "latest" the question asked for; "" when it asked for neither."""
    if not focus.asked:
        return ""
    label = focus.to_json("en")["label"]  # the CLI speaks English
    said = f" (“{focus.scope.expression}”)" if focus.scope.expression else ""
    if focus.widened:
        return f"nothing relevant among articles published {label}{said}: searched all dates"
    if focus.applied:
        return f"searched articles published {label}{said}" + (", newest first" if focus.scope.latest else "")
    return f"newest evidence first{said}"


def print_sources(answer: Answer) -> None:
    if line := time_line(answer.time):
        print(f"\n({line})")
    if answer.note:
        print(f"\n({answer.note})")
    elif answer.unsupported:
        print(f"\n(removed from the answer, not found in the articles: {' | '.join(answer.unsupported)})")
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        meta = " · ".join(x for x in (c.outlets(answer.language), c.published) if x)
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


def shown(text: str) -> str:
    """An answer as the terminal shows it: the articles' quoted sentences ("> " lines) set off by a bar, so they
    do not read as the chat's "> " prompt."""
    return re.sub(r"(?m)^> ", "  │ ", text)


def stream_answer(assistant: Assistant | RemoteAssistant, question: str, history: Sequence[Message], filters: Filters,
                  backend: str | None) -> Answer:
    """Show the answer once. On a terminal it streams as the model writes, and when the checks changed it
    (a sentence removed, a marker repaired) the streamed text is replaced in place by the final one; into a
    pipe or file only the final text is written. Then the sources."""
    import shutil

    stream = assistant.stream(question, history, filters=filters, backend=backend)
    if not sys.stdout.isatty():
        answer = stream.result()
        print(shown(answer.text))
    else:
        streamed = ""
        for piece in stream:
            piece = shown(piece)
            streamed += piece
            sys.stdout.write(piece)
            sys.stdout.flush()
        answer = stream.result()  # the stream is read: this is its final answer
        if shown(answer.text).strip() != streamed.strip():
            up = _rows(streamed, shutil.get_terminal_size().columns) - 1
            sys.stdout.write("\r" + (f"\x1b[{up}A" if up else "") + "\x1b[J" + shown(answer.text))
        print()
    print_sources(answer)
    return answer


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    assistant = open_assistant(settings)
    filters = filters_from(args)
    try:
        if args.question is None:  # batch mode: JSONL {"id", "question"} on stdin
            return batch(lambda question, history: assistant.ask(
                question, history, filters=filters, backend=args.backend).to_json())
        if args.json:
            print_json(assistant.ask(args.question, filters=filters, backend=args.backend).to_json())
        else:
            stream_answer(assistant, args.question, [], filters, args.backend)
        return EXIT_OK
    finally:
        assistant.close()


def quiet_warm_up(assistant: Assistant | RemoteAssistant, backend: str | None) -> None:
    """Load the models while the user types; a failure shows again, with its message, at the first question."""
    try:
        assistant.warm_up(backend)
    except Exception:  # noqa: BLE001 (it shows again, with its message, at the first question)
        pass


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    assistant = open_assistant(settings)
    filters = filters_from(args)
    history: list[dict[str, str]] = []
    threading.Thread(target=quiet_warm_up, args=(assistant, args.backend), name="warta-warm-up", daemon=True).start()
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
                answer = stream_answer(assistant, question, history, filters, args.backend)
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
