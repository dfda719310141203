"""Pure rendering for the web UI: answers, source cards, details, library rows, ingest reports.
(~300 lines, one module: every HTML string the page shows is built here, so the allow-list below is
reviewed in one place.)

Article text, titles, outlets and URLs are untrusted (anyone can publish a page titled
``<img src=x onerror=...>``), and so is model output (articles can carry prompt injections, and an
``openai`` backend writes whatever it likes). Nothing they contain may become markup, because any
markup can make the browser fetch a URL (an image, a reference-style Markdown image, a stylesheet,
a Mermaid diagram...) or run script. So everything is built from an allow-list, never by stripping
bad forms one by one:

- HTML for ``gr.HTML`` (which does not sanitize) is built here with every field ``html.escape``d;
  the only tags are ours, and the only links are http(s) ones to the articles themselves.
- Chat messages are HTML too (the chatbot runs with ``render_markdown=False``, so no Markdown parser
  ever sees the text): every character is escaped, then only our own constructs are added back:
  line breaks, ``**bold**``, ``*italic*`` and ``code`` spans (their content escaped too), and the
  ``[n]`` markers of an answer as links to its source cards (``#src-<turn>-<n>``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from assistant.brief import WORDS, Briefing
from assistant.cite import with_marker
from assistant.records import Answer, Citation, TimeFocus
from core.records import ArticleInfo
from ui.web.texts import message, passages

# What chat text may contain besides plain text (everything else is escaped): **bold**, *italic*, `code`
# (one line each, not starting or ending with a space) and [n] citation markers.
_INLINE_RE = re.compile(
    r"\*\*(?P<bold>[^\s*](?:[^*\n]*[^\s*])?)\*\*"
    r"|(?<![*\w])\*(?P<em>[^\s*](?:[^*\n]*[^\s*])?)\*(?![*\w])"
    r"|`(?P<code>[^`\n]+)`"
    r"|\[(?P<n>\d{1,2})\]"
)
_MARKER_LINK_RE = re.compile(r'<a href="#src-\d+-\d+">\[(\d{1,2})\]</a>')
_OUR_TAGS = {"<br>": "\n", "<strong>": "**", "</strong>": "**", "<em>": "*", "</em>": "*", "<code>": "`",
             "</code>": "`", "<blockquote>": "> ", "</blockquote>": ""}
_OUR_TAGS_RE = re.compile("|".join(re.escape(tag) for tag in _OUR_TAGS))
PASSAGE_CONTEXT = 220  # characters of a long passage shown on each side of the quote


@dataclass(frozen=True)
class Turn:
    """One answered question as the page shows it: its number in the chat, the answer and its details.

    ``answer`` is None when answering failed; ``shown`` is the text the chat shows for it.
    """

    number: int
    question: str
    shown: str
    answer: Answer | None = None
    details: str = ""

    @property
    def citations(self) -> tuple[Citation, ...]:
        return self.answer.citations if self.answer else ()


# --- links and escaping ---------------------------------------------------------------------------


def safe_url(url: str) -> str | None:
    """``url`` stripped when it is an absolute http(s) URL, else None (``javascript:``, ``data:``, relative...)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.hostname and not any(ch in url for ch in "\"'<> \n\t"):
        return url
    return None


def chat_html(text: str, turn: int | None = None) -> str:
    """Untrusted text as chatbot HTML: all of it literal, except line breaks, emphasis, code spans, a line
    quoted with "> " (the articles' sentences under an answer) and, when ``turn`` is given, the ``[n]`` markers,
    which become links to that turn's source cards."""
    return "<br>".join(_line_html(line.strip(), turn) for line in str(text).strip().splitlines())


def _line_html(line: str, turn: int | None) -> str:
    if line.startswith("> "):
        return f"<blockquote>{_inline_html(line[2:].strip(), turn)}</blockquote>"
    return _inline_html(line, turn)


def answer_html(text: str, turn: int) -> str:
    """An answer (streamed or final) as the chatbot shows it: literal text with clickable markers."""
    return chat_html(text, turn)


def _inline_html(text: str, turn: int | None) -> str:
    out, pos = [], 0
    for m in _INLINE_RE.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        pos = m.end()
        if m["n"] is not None:
            out.append(f'<a href="#src-{turn}-{m["n"]}">[{m["n"]}]</a>' if turn is not None
                       else html.escape(m[0], quote=False))
        elif m["code"] is not None:
            out.append(f"<code>{html.escape(m['code'], quote=False)}</code>")
        else:
            tag = "strong" if m["bold"] is not None else "em"
            out.append(f"<{tag}>{_inline_html(m['bold'] or m['em'], turn)}</{tag}>")
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def chat_text(shown: str) -> str:
    """The text behind ``chat_html`` output (markers as ``[n]``, emphasis as ``**``/``*``).

    Its inverse up to the spaces at line ends, which ``chat_html`` drops."""
    text = _MARKER_LINK_RE.sub(r"[\1]", shown)
    return html.unescape(_OUR_TAGS_RE.sub(lambda m: _OUR_TAGS[m[0]], text))


def text_html(text: str) -> str:
    """A line of plain text for ``gr.HTML`` (the answer details: a backend's error can quote anything)."""
    return f"<span>{html.escape(' '.join(str(text).split()), quote=False)}</span>" if str(text).strip() else ""


# --- chat history -----------------------------------------------------------------------------------


def message_text(msg: Mapping[str, Any]) -> str:
    """The text of a chatbot message; Gradio 6 passes content as a list of ``{"type": "text", "text"}`` parts."""
    content = msg.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        content = [content]
    parts = []
    for part in content or ():
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, Mapping) and part.get("type", "text") == "text":
            parts.append(str(part.get("text", "")))
    return "\n".join(parts)


def plain_history(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The chatbot's value as ``[{"role", "content": str}]`` for the assistant, display markup undone."""
    out = []
    for msg in messages or ():
        if msg.get("role") not in ("user", "assistant") or (msg.get("metadata") or {}).get("title"):
            continue
        text = chat_text(message_text(msg)).strip()
        if text:
            out.append({"role": str(msg["role"]), "content": text})
    return out


# --- sources panel --------------------------------------------------------------------------------


def _find_spans(passage: str, quote: str) -> list[tuple[int, int]]:
    """Where ``quote`` (one sentence, or two joined by a space) occurs in ``passage``."""
    quote = quote.strip()
    if not quote:
        return []
    start = passage.find(quote)
    if start >= 0:
        return [(start, start + len(quote))]
    for i, ch in enumerate(quote):  # two sentences that are not adjacent in the passage
        if ch != " ":
            continue
        left, right = quote[:i].strip(), quote[i + 1 :].strip()
        a = passage.find(left) if left else -1
        if a < 0:
            continue
        b = passage.find(right) if right else -1
        if b >= 0 and (b >= a + len(left) or b + len(right) <= a):
            return sorted([(a, a + len(left)), (b, b + len(right))])
    return []


def highlight(passage: str, quote: str, *, context: int = PASSAGE_CONTEXT) -> str:
    """``passage`` as escaped HTML with the quoted sentence(s) in ``<mark>``.

    A long passage is cut to about ``context`` characters around the quote, with "…" where text was left out.
    """
    passage, quote = _tidy(passage), _tidy(quote)
    spans = _find_spans(passage, quote)
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        lo = min(start, _word_start(passage, start - context))
        hi = max(end, _word_end(passage, end + context))
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    windows = windows or [(0, _word_end(passage, 2 * context))]
    pieces = []
    for lo, hi in windows:
        out, pos = [], lo
        for start, end in spans:
            if lo <= start and end <= hi:
                out += [html.escape(passage[pos:start]), "<mark>", html.escape(passage[start:end]), "</mark>"]
                pos = end
        out.append(html.escape(passage[pos:hi]))
        pieces.append("".join(out).strip())
    return "… " * (windows[0][0] > 0) + " … ".join(pieces) + " …" * (windows[-1][1] < len(passage))


def _tidy(text: str) -> str:
    """Text with blank lines between paragraphs reduced to one line break."""
    return re.sub(r"\n\s*\n+", "\n", text.strip())


def _word_start(text: str, i: int) -> int:
    """``i`` moved forward to the start of a word, so that a cut never splits one."""
    if i <= 0:
        return 0
    cuts = [x for x in (text.find(" ", i), text.find("\n", i)) if x >= 0]
    return min(cuts) + 1 if cuts else len(text)


def _word_end(text: str, i: int) -> int:
    """``i`` moved back to the end of a word."""
    if i >= len(text):
        return len(text)
    cut = max(text.rfind(" ", 0, i), text.rfind("\n", 0, i))
    return cut if cut > 0 else i


def source_card(turn: int, citation: Citation, lang: str) -> str:
    """One source card: ``[n]``, title, outlet · date · link, and the passage with the quote marked."""
    url = safe_url(citation.url)
    if url:
        host = urlsplit(url).hostname or url
        link = (f'<a class="src-link" href="{html.escape(url, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer nofollow">{html.escape(host)}</a>')
    elif citation.url.strip():
        link = f'<span class="src-nolink">{html.escape(message(lang, "no_link"))}</span>'
    else:
        link = ""
    meta = " · ".join([html.escape(x) for x in (citation.outlets(lang), citation.published) if x] + [link] * bool(link))
    parts = [
        f'<div class="src-card" id="src-{turn}-{citation.n}" data-n="{citation.n}">',
        (f'<div class="src-head"><span class="src-n">[{citation.n}]</span> '
         f'<span class="src-title">{html.escape(citation.title)}</span></div>'),
        f'<div class="src-meta">{meta}</div>' if meta else "",
        f'<blockquote class="src-passage">{highlight(citation.passage, citation.quote)}</blockquote>',
        "</div>",
    ]
    return "".join(parts)


def sources_panel(turns: Sequence[Turn], lang: str) -> str:
    """The sources of every answer, newest first and open; older ones folded in ``<details>``."""
    if not turns:
        return f'<div class="src-empty">{html.escape(message(lang, "no_sources"))}</div>'
    blocks = []
    for i, turn in enumerate(reversed(turns)):
        cards = "".join(source_card(turn.number, c, lang) for c in turn.citations)
        cards = cards or f'<div class="src-empty">{html.escape(message(lang, "no_citations"))}</div>'
        body = f'{cards}<div class="src-details">{html.escape(turn.details)}</div>'
        label = html.escape(message(lang, "answer_n", n=turn.number))
        attrs = f'class="src-turn" data-turn="{turn.number}" data-status="done"'
        if i == 0:
            blocks.append(f"<section {attrs}><h4>{label}</h4>{body}</section>")
        else:  # a click on one of its markers opens it (see assets.HEAD)
            blocks.append(f"<details {attrs}><summary>{label}</summary>{body}</details>")
    return "".join(blocks)


def details_line(answer: Answer, lang: str) -> str:
    """Timings, backend and model of an answer (after its note, or the count of sentences removed because no
    article states them), as one plain line."""
    def seconds(key: str) -> str:
        ms = answer.timings_ms.get(key)
        return "–" if ms is None else message(lang, "seconds", s=ms / 1000)

    line = message(lang, "details", retrieve=seconds("retrieve"), first_token=seconds("first_token"),
                   total=seconds("total"), backend=answer.backend or "–", model=answer.model or "–")
    notes = [answer.note] if answer.note else []
    if answer.unsupported and not answer.note:
        notes.append(message(lang, "sentences_removed", n=len(answer.unsupported)))
    return " — ".join([*notes, line])


def time_note(focus: TimeFocus, lang: str) -> str:
    """HTML for the line under an answer whose question asked for a date range: which range was searched (or that
    nothing in it was relevant, so all dates were), in the interface's language; "" for other answers."""
    if focus.scope.range is None or not (focus.applied or focus.widened):
        return ""
    key = "time_applied" if focus.applied else "time_widened"
    return text_html(message(lang, key, label=focus.scope.range.label(lang), expression=focus.scope.expression))


# --- library ----------------------------------------------------------------------------------------

LIBRARY_COLUMNS = ("col_title", "col_outlet", "col_date", "col_lang", "col_chunks", "col_id")


def library_rows(articles: Iterable[ArticleInfo], query: str = "") -> list[list[str | int]]:
    """Table rows (title, outlet, date, language, passages, id) of the articles whose title contains ``query``."""
    needle = " ".join(query.split()).casefold()
    return [[a.title, a.outlet, f"{a.published} ({a.date_source})" if a.published and a.date_source else a.published,
             a.lang, a.n_chunks, a.id]
            for a in articles if needle in " ".join(a.title.split()).casefold()]


def ingest_report(rows: Iterable[tuple[str, str, str, int, str]], lang: str) -> str:
    """An HTML table of ``(item name, status, title, passages, reason)``, one row per item, all escaped."""
    head = "".join(f"<th>{html.escape(message(lang, key))}</th>" for key in ("col_mark", "col_item", "col_result"))
    body = []
    for name, status, title, chunks, reason in rows:
        if status == "failed":
            mark, result = "✗", f"{message(lang, 'failed')}: {reason}"
        else:
            mark, result = "✓", f"{message(lang, status)}: {title} ({passages(lang, chunks)})"
        body.append(f'<tr class="ingest-{html.escape(status)}"><td>{mark}</td><td>{html.escape(name)}</td>'
                    f"<td>{html.escape(result)}</td></tr>")
    return f'<table class="ingest-report"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def status_html(text: str) -> str:
    """A one-line status message (it may quote titles or ids), escaped."""
    return f'<p class="lib-message">{html.escape(text)}</p>'


def briefing_html(briefing: Briefing, lang: str) -> str:
    """A briefing: its heading, one section per story with its cited sentences and what changed, then the source
    cards (``#src-0-<n>``, as an answer's; the markers link to them)."""
    words = WORDS[lang if lang in WORDS else "en"]
    since = html.escape(briefing.since.astimezone().strftime("%Y-%m-%d %H:%M"))
    if not briefing.items:
        return f'<div class="brief-empty">{html.escape(words["empty"].format(since=since))}</div>'

    def marked(sentence: str, n: int) -> str:
        return re.sub(r"\[(\d+)\]", r'<a href="#src-0-\1">[\1]</a>', html.escape(with_marker(sentence, [n])))

    heading = html.escape(words["title"].format(since="{since}", n=len(briefing.items))).replace("{since}", since)
    topic = f' · “{html.escape(briefing.topic)}”' if briefing.topic else ""
    parts = [f'<h3 class="brief-title">{heading}{topic}</h3>',
             f'<div class="brief-note">{html.escape(words["quoted"])}</div>']
    for item in briefing.items:
        meta = " · ".join(html.escape(x) for x in (item.published, words["copies"].format(n=item.copies)
                                                   if item.copies > 1 else "") if x)
        body = " ".join(marked(s, n) for s, n in item.sentences)
        changes = "".join(f'<li class="brief-change">{html.escape(words["changed"])}: {marked(c.now, c.n)} '
                          f'({html.escape(words["before"])}: {marked(c.before, c.before_n)})</li>'
                          for c in item.changes)
        parts.append(f'<section class="brief-item"><h4>{html.escape(item.title)}</h4>'
                     + (f'<div class="brief-meta">{meta}</div>' if meta else "")
                     + f'<p>{body}</p>' + (f"<ul>{changes}</ul>" if changes else "") + "</section>")
    parts.append(f'<h4 class="brief-sources">{html.escape(words["sources"])}</h4>')
    parts += [source_card(0, c, lang) for c in briefing.citations]
    return f'<div class="brief">{"".join(parts)}</div>'
