"""Cleaning: main text out of HTML, web boilerplate off the ends of text, whitespace normalized
(``core.text.intake.normalize_whitespace``). Pure functions over strings; no I/O.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from core.text.intake import normalize_whitespace

# Lines that are navigation or widget text, not article content. Matched against whole short lines.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        berita\s+terkait | baca\s+juga.* | artikel\s+terkait | related(?:\s+(?:articles?|news|posts?|stories))?
        | back\s+to\s+top(?:\s+button)? | kembali\s+ke\s+atas | share(?:\s+this)?(?:\s+on\s+\w+)? | bagikan.*
        | tags?\s*:.* | topik\s*:.* | advertisement | iklan | scroll\s+to\s+continue.* | gulir\s+untuk.*
        | copyright\b.* | ©.* | hak\s+cipta.* | all\s+rights\s+reserved.* | follow\s+us.* | ikuti\s+kami.*
        | read\s+more.* | selengkapnya.* | komentar | comments? | loading\.* | editor\s*:.* | penulis\s*:.*
        | sumber\s*:.* | lihat\s+juga.* | simak\s+juga.* | (?:facebook|twitter|whatsapp|telegram|line|x|linkedin|email)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Once one of these headings appears in the last part of an article, everything after it is a widget.
_TRAILER_HEADING = re.compile(
    r"^(?:berita\s+terkait|artikel\s+terkait|related\s+(?:articles?|news|posts?|stories)|baca\s+juga|"
    r"lihat\s+juga|back\s+to\s+top(?:\s+button)?)\s*:?$",
    re.IGNORECASE,
)


def strip_boilerplate(text: str) -> str:
    """Remove widget lines anywhere and cut a trailing "related articles" block."""
    lines = text.split("\n")
    cut = len(lines)
    tail_start = int(len(lines) * 0.6)
    for i in range(tail_start, len(lines)):
        if _TRAILER_HEADING.match(lines[i].strip()):
            cut = i
            break
    kept = [ln for ln in lines[:cut] if not (len(ln) < 80 and _BOILERPLATE_LINE.match(ln.strip()))]
    return normalize_whitespace("\n".join(kept))


def clean_text(text: str) -> str:
    return strip_boilerplate(normalize_whitespace(text))


def split_title(text: str) -> tuple[str, str]:
    """For plain text: a short first line followed by a blank line is the title."""
    head, sep, rest = text.partition("\n\n")
    head = head.strip()
    if sep and head and "\n" not in head and len(head) <= 200 and not head.endswith((".", ",", ";")):
        return head.lstrip("# ").strip(), rest.strip()
    return "", text


@dataclass(frozen=True)
class HtmlArticle:
    title: str
    text: str
    published: str
    outlet: str
    url: str
    lang: str


def extract_html(document: str, url: str = "") -> HtmlArticle:
    """Main text and metadata of an HTML page (trafilatura); empty text when there is no main text."""
    import trafilatura

    # No ``deduplicate``: trafilatura's is a cache shared by every call in the process, which discards a page
    # whose text it has seen a few times (a long-lived ``warta serve`` re-adding an article, or its update).
    result = trafilatura.bare_extraction(
        document, url=url or None, include_comments=False, include_tables=False, include_images=False,
        favor_precision=True, with_metadata=True, deduplicate=False,
    )
    if result is None:
        return HtmlArticle("", "", "", "", url, "")
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = data.get("text") or ""
    title = html_lib.unescape(data.get("title") or "")
    return HtmlArticle(
        title=normalize_whitespace(title),
        text=clean_text(text),
        published=(data.get("date") or "")[:10],
        outlet=data.get("sitename") or data.get("hostname") or "",
        url=data.get("url") or url,
        lang=data.get("language") or "",
    )


def html_to_text(fragment: str) -> str:
    """Plain text of a small HTML fragment (a feed summary), without extraction heuristics."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", fragment)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return normalize_whitespace(html_lib.unescape(text))
