"""Every string the web UI shows, in English and Indonesian.

``LABELS`` are static labels (buttons, tabs, placeholders): Gradio translates them in the browser
(``gr.I18n``), following the browser's language or the interface-language toggle. ``MESSAGES`` are
built on the server (answers' details, errors, ingest reports) in the language ``pick_language`` returns.
"""

from __future__ import annotations

from core.text.lang import Lang, is_lang

# Keys must not be one of Gradio's own translation namespaces ("chatbot", "upload_text", "login", ...).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "tab_chat": "Chat", "tab_library": "Library", "chat_label": "Warta",
        "question": "Your question", "question_ph": "Ask about the news, in Indonesian or English…",
        "send": "Send", "stop": "Stop", "new_chat": "New chat", "sources": "### Sources",
        "filters": "Filters", "date_from": "From (YYYY-MM-DD)", "date_to": "To (YYYY-MM-DD)",
        "outlets": "Outlets", "article_lang": "Article language", "all": "All", "indonesian": "Indonesian",
        "english": "English", "ui_lang": "Interface language",
        "search": "Search titles", "remove_ref": "Article id or URL to remove (or click a row)",
        "remove": "Remove", "upload": "Upload articles", "urls": "Article or feed URLs (one per line)",
        "add": "Add to library",
        "col_title": "Title", "col_outlet": "Outlet", "col_date": "Date", "col_lang": "Language",
        "col_chunks": "Passages", "col_id": "Id",
    },
    "id": {
        "tab_chat": "Obrolan", "tab_library": "Pustaka", "chat_label": "Warta",
        "question": "Pertanyaan Anda", "question_ph": "Tanyakan tentang berita, dalam bahasa Indonesia atau Inggris…",
        "send": "Kirim", "stop": "Berhenti", "new_chat": "Obrolan baru", "sources": "### Sumber",
        "filters": "Filter", "date_from": "Dari (TTTT-BB-HH)", "date_to": "Sampai (TTTT-BB-HH)",
        "outlets": "Media", "article_lang": "Bahasa artikel", "all": "Semua", "indonesian": "Indonesia",
        "english": "Inggris", "ui_lang": "Bahasa antarmuka",
        "search": "Cari judul", "remove_ref": "Id atau URL artikel yang dihapus (atau klik baris)",
        "remove": "Hapus", "upload": "Unggah artikel", "urls": "URL artikel atau feed (satu per baris)",
        "add": "Tambahkan ke pustaka",
        "col_title": "Judul", "col_outlet": "Media", "col_date": "Tanggal", "col_lang": "Bahasa",
        "col_chunks": "Bagian", "col_id": "Id",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "no_sources": "The sources of an answer appear here.",
        "no_citations": "This answer cites no sources.",
        "answer_n": "Answer {n}",
        "no_link": "(no valid link)",
        "error": "Sorry, the answer could not be made: {message}",
        "internal": "Sorry, something went wrong while answering. Please try again.",
        "empty_store": ("There are no articles yet. Add some in the **Library** tab (upload files or paste URLs), "
                        "or run `warta ingest FILE|URL`."),
        "bad_date": "Ignoring the date “{value}”: use YYYY-MM-DD.",
        "details": ("Retrieval {retrieve} · first token {first_token} · total {total} · backend: {backend} · "
                    "model: {model}"),
        "sentences_removed": ("⚠ {n} sentence(s) removed from the answer: their names or numbers are not in the "
                              "articles"),
        "seconds": "{s:.2f} s",
        "nothing_to_add": "Nothing to add: choose files or enter URLs.",
        "reading": "Reading and embedding articles…",
        "progress": "{done} done, {chunks} passages embedded",
        "not_url": "not an http(s) URL",
        "col_mark": "", "col_item": "Item", "col_result": "Result",
        "added": "added", "updated": "updated", "unchanged": "already in the library", "failed": "failed",
        "duplicate": "skipped, a later item is the same article",
        "chunk": "{n} passage", "chunks": "{n} passages",
        "removed": "Removed “{title}” ({count}).",
        "not_found": "No article with the id or URL “{ref}”.",
        "nothing_selected": "Click a row or enter an article id or URL first.",
    },
    "id": {
        "no_sources": "Sumber jawaban akan tampil di sini.",
        "no_citations": "Jawaban ini tidak mengutip sumber.",
        "answer_n": "Jawaban {n}",
        "no_link": "(tautan tidak valid)",
        "error": "Maaf, jawaban tidak dapat dibuat: {message}",
        "internal": "Maaf, terjadi kesalahan saat menjawab. Silakan coba lagi.",
        "empty_store": ("Belum ada artikel. Tambahkan di tab **Pustaka** (unggah berkas atau tempel URL), "
                        "atau jalankan `warta ingest BERKAS|URL`."),
        "bad_date": "Tanggal “{value}” diabaikan: gunakan TTTT-BB-HH.",
        "details": ("Pencarian {retrieve} · token pertama {first_token} · total {total} · backend: {backend} · "
                    "model: {model}"),
        "sentences_removed": "⚠ {n} kalimat dihapus dari jawaban: nama atau angkanya tidak ada di artikel",
        "seconds": "{s:.2f} dtk",
        "nothing_to_add": "Tidak ada yang ditambahkan: pilih berkas atau isi URL.",
        "reading": "Membaca dan menyematkan artikel…",
        "progress": "{done} selesai, {chunks} bagian disematkan",
        "not_url": "bukan URL http(s)",
        "col_mark": "", "col_item": "Item", "col_result": "Hasil",
        "added": "ditambahkan", "updated": "diperbarui", "unchanged": "sudah ada di pustaka", "failed": "gagal",
        "duplicate": "dilewati, item sesudahnya artikel yang sama",
        "chunk": "{n} bagian", "chunks": "{n} bagian",
        "removed": "“{title}” dihapus ({count}).",
        "not_found": "Tidak ada artikel dengan id atau URL “{ref}”.",
        "nothing_selected": "Klik sebuah baris atau isi id atau URL artikel terlebih dahulu.",
    },
}


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
