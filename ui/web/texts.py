"""Every string the web UI shows, in English and Indonesian (kept as data in ``texts.toml``).

``LABELS`` are static labels (buttons, tabs, placeholders): Gradio translates them in the browser
(``gr.I18n``), following the browser's language or the interface-language toggle. ``MESSAGES`` are
built on the server (answers' details, errors, ingest reports) in the language ``pick_language`` returns.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from core.text.lang import Lang, is_lang


def _by_language(texts: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    return {lang: {key: pair[i] for key, pair in texts.items()} for i, lang in enumerate(("en", "id"))}


_TEXTS = tomllib.loads((Path(__file__).parent / "texts.toml").read_text(encoding="utf-8"))
LABELS = _by_language(_TEXTS["labels"])
MESSAGES = _by_language(_TEXTS["messages"])


def pick_language(choice: str | None, accept_language: str = "") -> Lang:
    """The interface language: the toggle's choice (``id``/``en``), or for ``auto`` the browser's.

    ``accept_language`` is the request's Accept-Language header; its first language wins.
    """
    if is_lang(choice):
        return choice
    first = accept_language.split(",", 1)[0].strip().lower()
    return "id" if first.startswith(("id", "in")) else "en"


def request_language(choice: str | None, request: object | None) -> Lang:
    """``pick_language`` for a ``gr.Request``: its Accept-Language header stands for the browser."""
    headers = getattr(request, "headers", None)
    return pick_language(choice, (headers.get("accept-language", "") if headers is not None else "") or "")


def message(lang: str, key: str, **values: object) -> str:
    """The message ``key`` in ``lang`` (English when ``lang`` is unknown), formatted with ``values``."""
    return MESSAGES.get(lang, MESSAGES["en"])[key].format(**values)


def passages(lang: str, n: int) -> str:
    """"1 passage", "3 passages" ("n bagian" in Indonesian)."""
    return message(lang, "chunk" if n == 1 else "chunks", n=n)
