"""Follow-up questions: what to search for, and what the model is asked, when a question leans on the conversation.

"and who is the interim CEO?" after "Why did OpenAI drop Scale AI?" cannot be searched or answered alone.
The chat model rewrites it into a standalone question, but a 1.5B model's rewrite goes wrong in plain ways:
it answers instead ("The interim CEO of OpenAI is [2]."), switches language, or invents a name. So the rewrite
is checked in code and used only when it is a question, in the user's language, that names nothing the
conversation does not, and keeps something of the earlier turns. Retrieval then searches with the rewrite
*and* with the previous question plus the follow-up (which alone already finds the earlier topic), and the
model sees the recent turns as chat history (what made a naive chat pipeline beat a rewrite-only one) followed by
the question *as typed*: the rewrite picks the referent for the search, but where it picks the wrong one ("Who is
the interim CEO of *OpenAI*?") a model asked the rewrite states it as a fact ("Jason Droege is the interim CEO of
OpenAI"), while a model that reads the conversation and the passage says "... of Scale AI".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.cite import strip_markers
from assistant.facts import Evidence, unsupported_facts
from assistant.prompts import CONDENSE, CONDENSE_EXAMPLES, CONDENSE_REQUEST
from core.errors import InputError
from core.text.analyze import analyze, entity_terms
from core.text.intake import clean_line
from core.text.lang import detect_language
from core.text.sentences import split_sentences

Message = dict[str, str]  # {"role": "user" | "assistant", "content": ...}

_FOLLOW_UP = re.compile(
    r"^(and|but|so|also|what about|how about|then|dan|terus|trus|lalu|kalau|kalo|bagaimana dengan|gimana dengan|"
    r"selain itu|juga)\b"
    r"|\b(it|its|they|them|their|he|she|his|her|him|that|this|those|these|there|the same|dia|ia|mereka|itu|"
    r"tersebut|sana|beliau|nya)\b"
    r"|\w+-?nya\b",
    re.IGNORECASE,
)
_INTERROGATIVE = re.compile(
    r"\?\s*$|^(apa|apakah|siapa|siapakah|berapa|berapakah|kapan|kapankah|di\s?mana|di\s?manakah|ke\s?mana|"
    r"dari\s?mana|mengapa|kenapa|bagaimana|manakah|mana|what|who|whom|whose|when|where|why|how|which|is|are|was|"
    r"were|did|does|do|can|could|will|would|should|has|have|had)\b",
    re.IGNORECASE,
)
HISTORY_MESSAGES = 4  # turns of history the rewriter and the answer model see: enough for a follow-up, cheap to read
HISTORY_CHARS = 500  # each earlier message is cut to this many characters


def history_from(value: object) -> list[Message]:
    """A conversation given as data (a JSON ``history`` field): ``[{"role": "user"|"assistant", "content": str}]``;
    ``None`` is no history.

    Raises:
        InputError: it is not such a list (the message names the first bad message).
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"'history' must be a list of {{\"role\", \"content\"}} messages, got {type(value).__name__}")
    history = []
    for i, message in enumerate(value):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant") \
                or not isinstance(message.get("content"), str):
            raise InputError(f"'history'[{i}] must be {{\"role\": \"user\"|\"assistant\", \"content\": string}}, "
                             f"got {str(message)[:80]!r}")
        history.append({"role": message["role"], "content": clean_line(message["content"], HISTORY_CHARS * 4)})
    return history


def previous_question(history: Sequence[Message]) -> str:
    return next((m["content"] for m in reversed(history) if m.get("role") == "user" and m.get("content")), "")


def is_follow_up(question: str, history: Sequence[Message]) -> bool:
    """There is an earlier question and this one refers back ("and who...", "-nya", "it"), or is short and names
    nothing itself ("How much?"); "Who won the 2022 World Cup?" is short but complete."""
    if not previous_question(history):
        return False
    if _FOLLOW_UP.search(question):
        return True
    return len(question.split()) <= 6 and not entity_terms(question)


def recent_turns(history: Sequence[Message]) -> list[Message]:
    """The last ``HISTORY_MESSAGES`` messages, each cut to ``HISTORY_CHARS`` characters, without citation markers
    (an old "[1]" would point at a passage of this turn)."""
    return [{"role": m["role"], "content": strip_markers(m["content"])[:HISTORY_CHARS]}
            for m in history[-HISTORY_MESSAGES:] if m.get("role") in ("user", "assistant") and m.get("content")]


def rewrite_messages(question: str, history: Sequence[Message], language: str) -> list[tuple[str, str]]:
    """The rewriter's prompt: instructions, two worked examples in ``language``, then this conversation, each
    as a request that shows the conversation and the question to rewrite apart."""
    messages: list[tuple[str, str]] = [("system", CONDENSE[language])]
    request = CONDENSE_REQUEST[language]
    for conversation, last, rewritten in CONDENSE_EXAMPLES[language]:
        messages += [("human", request.format(conversation=conversation, question=last)), ("ai", rewritten)]
    lines = [f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content']}" for m in recent_turns(history)]
    messages.append(("human", request.format(conversation="\n".join(lines), question=question)))
    return messages


def keeps_the_follow_up(rewritten: set[str], asked: set[str], names: set[str], earlier: set[str]) -> bool:
    """The rewrite still asks what the follow-up asks: it holds every name and number of the follow-up and most
    of its other words that the conversation does not already hold (all as analysed keywords). The 1.5B rewriter
    often hands back the *previous* question ("kalau Oskar Lafontaine?" -> the question about Angela Merkel),
    which is a question, in the right language, about the conversation's topic, and would be answered instead."""
    if not names <= rewritten:
        return False
    own = asked - names - earlier
    return len(own & rewritten) * 2 > len(own) if own else True


def acceptable_rewrite(rewrite: str, question: str, history: Sequence[Message], language: str) -> bool:
    """A rewrite is used only when it is a single question in the user's language, names nothing that is in
    neither the question nor the conversation, keeps what the follow-up itself asks (``keeps_the_follow_up``),
    and carries over a word of the earlier turns that the follow-up itself lacks (the referent)."""
    if not 3 <= len(rewrite) <= 300 or "\n" in rewrite or re.search(r"\[\d+\]", rewrite):
        return False
    if not _INTERROGATIVE.search(rewrite) or len(split_sentences(rewrite)) > 1 or rewrite.count("?") > 1:
        return False  # an answer, or the previous question and the follow-up strung together
    if detect_language(rewrite, default=language) != language:
        return False
    earlier = [m["content"] for m in recent_turns(history)]
    if unsupported_facts(rewrite, Evidence([question, *earlier])):
        return False
    rewritten, asked = set(analyze(rewrite, language)), set(analyze(question, language))
    earlier_words = set(analyze(" ".join(earlier), language))
    if not keeps_the_follow_up(rewritten, asked, set(analyze(entity_terms(question), language)), earlier_words):
        return False
    return bool((rewritten & earlier_words) - asked)


@dataclass(frozen=True)
class FollowUp:
    """How to handle a question in its conversation."""

    standalone: str  # the question standing alone (the rewrite, or the question as typed): shown, time-parsed
    queries: tuple[str, ...]  # what retrieval searches for, best first
    focus: tuple[str, ...]  # what the passages' sentences are matched against (context, quotes, extractive answer)
    history: tuple[Message, ...]  # the turns the answer model sees before the question
    rewritten: bool  # the model's rewrite passed the checks
    asked: str  # what the answer model is asked after ``history``: the question as typed


def plan(question: str, history: Sequence[Message], language: str, llm=None) -> FollowUp:
    """The standalone question, the retrieval queries and the history for ``question``."""
    if not is_follow_up(question, history):
        return FollowUp(question, (question,), (question,), (), False, question)
    joined = f"{previous_question(history)} {question}".strip()
    rewrite = ""
    if llm is not None:
        try:
            reply = llm.invoke(rewrite_messages(question, history, language)).content
            rewrite = str(reply).strip().strip('"“”').strip()
        except Exception:  # noqa: BLE001 (a failing model must not stop the answer: the joined question is enough to search)
            rewrite = ""
    turns = tuple(recent_turns(history))
    if rewrite and acceptable_rewrite(rewrite, question, history, language):
        # the sentences answer the rewrite and the follow-up as typed: a rewrite that passes the checks can still
        # name the wrong referent ("and who is the interim CEO?" -> "... of OpenAI", where the article names Scale
        # AI's), and the follow-up's own words ("interim CEO") are what it asks
        return FollowUp(rewrite, (rewrite, joined), (rewrite, question), turns, True, question)
    # Without a usable rewrite the model gets the question as asked, with the conversation before it. Sentences
    # matched against the follow-up alone ("perusahaan itu berdiri kapan?") would be any company's founding, and
    # against the joined question the previous answer again: they are matched against both (``rank_units``).
    return FollowUp(question, (joined,), (question, joined), turns, False, question)
