"""Follow-up questions -> standalone questions, so retrieval sees what the user means.

"and how much did Meta pay?" after "why did OpenAI drop Scale AI?" is rewritten by the chat model
(when there is one) in the user's language; without a model, the previous question is prepended,
which is enough for retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.prompts import CONDENSE
from ingest.keyword import entity_terms

Message = dict[str, str]  # {"role": "user" | "assistant", "content": ...}

_FOLLOW_UP = re.compile(
    r"^(and|but|so|also|what about|how about|then|dan|terus|trus|lalu|kalau|bagaimana dengan|selain itu|juga)\b"
    r"|\b(it|its|they|them|their|he|she|his|her|him|that|this|those|these|there|dia|ia|mereka|itu|tersebut|sana|beliau)\b"
    r"|\w+-?nya\b",
    re.IGNORECASE,
)
HISTORY_TURNS = 4  # messages of history given to the rewriter: enough for a follow-up, cheap to read


def needs_condensing(question: str, history: Sequence[Message]) -> bool:
    """A follow-up: there is history and the question refers back, or is short and names nothing itself
    ("Who won the 2022 World Cup?" is short but complete; "How much?" is not)."""
    if not any(m.get("role") == "user" for m in history):
        return False
    if _FOLLOW_UP.search(question):
        return True
    return len(question.split()) <= 6 and not entity_terms(question)


def heuristic_standalone(question: str, history: Sequence[Message]) -> str:
    previous = next((m["content"] for m in reversed(history) if m.get("role") == "user"), "")
    return f"{previous} {question}".strip()


def condense_messages(question: str, history: Sequence[Message], language: str) -> list[tuple[str, str]]:
    lines = [f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content'][:600]}" for m in history[-HISTORY_TURNS:]]
    return [("system", CONDENSE[language]), ("human", "\n".join(lines) + f"\nUser: {question}")]


def condense(question: str, history: Sequence[Message], language: str, llm=None) -> str:
    """The standalone form of ``question`` (unchanged when it is not a follow-up)."""
    if not needs_condensing(question, history):
        return question
    if llm is None:
        return heuristic_standalone(question, history)
    try:
        rewritten = llm.invoke(condense_messages(question, history, language)).content
    except Exception:  # a failing model must not stop retrieval; the heuristic is good enough for it
        return heuristic_standalone(question, history)
    rewritten = str(rewritten).strip().strip('"').splitlines()[0] if str(rewritten).strip() else ""
    return rewritten if 3 <= len(rewritten) <= 400 else heuristic_standalone(question, history)
