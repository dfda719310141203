"""Bytes -> text: UTF-8 first, then what the document or its server declares, then a detector; binary refused."""

from __future__ import annotations

import re

from core.errors import SourceError

_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive", b"%PDF": "a PDF", b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive", b"\x7fELF": "an executable",
}


def readable(name: str) -> str:
    """An item name (a path, a URL from the command line) as printable text. A file name that is not UTF-8
    reaches Python as surrogate escapes ("z-\\udce9.txt"), which UTF-8 output and SQLite refuse: its bytes
    are shown as ``\\xe9`` instead."""
    try:
        data = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # lone surrogates that are not escaped bytes
        data = name.encode("utf-8", "backslashreplace")
    return data.decode("utf-8", "backslashreplace")


_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Labels that mean Windows-1252 in practice (the WHATWG encoding standard maps them so): Python's Latin-1
# would turn its curly quotes and dashes into control characters.
_MEANS_CP1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "windows-1252", "cp1252"}


def charset_of(content_type: str) -> str:
    """The charset named in an HTTP ``Content-Type`` header, or ''."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match[1] if match else ""


def _declared_charset(data: bytes) -> str:
    """The charset a document declares (``<meta charset>``, ``http-equiv``, ``<?xml encoding>``), or ''."""
    match = _DECLARED.search(data[:4096])
    return (match[1] or match[2]).decode("ascii").lower() if match else ""


def looks_garbled(text: str) -> bool:
    """Mojibake of a non-Latin script read in a Latin code page: most letters are accented Latin-1 ones
    ("Öåíû íà ðèñ" for "Цены на рис"). Indonesian, English and other Latin-script text has few of them."""
    letters = [ch for ch in text[:20_000] if ch.isalpha()]
    accented = sum(1 for ch in letters if "\u00c0" <= ch <= "\u00ff")
    return len(letters) >= 20 and accented > 0.3 * len(letters)


def decode_bytes(data: bytes, item: str, declared: str = "") -> str:
    """Text from bytes: UTF-8 (with or without BOM); else the charset ``declared`` (by an HTTP header) or
    declared in the document itself, then Windows-1252; else, when those yield mojibake (a Cyrillic page
    in windows-1251 or KOI8-R), the encoding charset-normalizer detects.

    Raises:
        SourceError: empty or binary input.
    """
    if not data.strip():
        raise SourceError(item, "empty (no text)")
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise SourceError(item, f"binary file ({kind}), not text")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(item, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark (Windows "Unicode")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    # Indonesian and English are Latin-script: legacy files are nearly always Windows-1252/Latin-1,
    # which statistical detectors confuse with Central European code pages on short texts; so detection
    # is only asked when the declared or assumed code page gives mojibake.
    declared = (declared or _declared_charset(data)).lower()
    if declared in _MEANS_CP1252 or declared.startswith(("utf-16", "utf-32", "ucs")):  # wide ones need a BOM
        declared = ""
    text = ""
    for encoding in [e for e in (declared, "cp1252") if e]:
        try:
            candidate = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not looks_garbled(candidate):
            text = candidate
            break
        text = text or candidate
    else:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and (not text or not looks_garbled(str(best))):
            text = str(best)
        text = text or data.decode("latin-1")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > 0.1 * min(len(text), 4096):
        raise SourceError(item, "binary file (mostly control bytes), not text")
    return text
