"""The extractive backend: no LLM; the passage sentences closest to the question, with their markers.

Deterministic, fast, and the fallback when the answer model fails or nothing of its answer could be
verified. Sentences are quoted in the article's own language, introduced by a lead in the question's language.

The sentences of an answer's sources are ranked once (``rank_sentences``) and read three ways: the answer (or
the quotes under a model's answer: ``best_sentences``), what an older report said (``earlier_sentence``), and
whether the sources' figures changed between reports (``figures_changed``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant.asks import (
    CASE_NOUNS,
    INFECTED,
    MONEY_WORDS,
    PERSON_WORDS,
    PREFERRED_KINDS,
    PRICE_WORDS,
    PROGRESS_WORDS,
    STATE_NOUNS,
    AnswerKind,
    amounts,
    asked_kind,
    asked_per,
    asked_state,
    asked_thing,
    asks_count,
    asks_each,
    asks_rate,
    asks_share,
    can_answer,
    case_kind,
    counted,
    counts_of,
    counts_people,
    figures,
    gives_each,
    glossed,
    lower_bounds,
    priced_item,
    priced_per,
    prices,
    replaced,
    says_each,
    shares_done,
    states_negation,
    stem,
    trip_names,
    unit_name,
    with_next_word,
)
from assistant.cite import strip_markers, with_marker
from assistant.conditions import (
    Condition,
    asked_condition,
    asked_happening,
    condition_counts,
    names_a_condition,
    names_condition,
    of_things,
    responds,
    victims_counted,
)
from assistant.context import Unit, rank_units
from assistant.prompts import EXTRACTIVE_LEAD
from assistant.records import Passage
from core.models.dictionary import loan_spelling
from core.records import Hit
from core.text.analyze import analyze, entity_terms, words
from core.text.lang import crosses, detect_language, other_language
from core.text.sentences import split_sentences

# A word's translations into the other language than ``language``, the word's own (``Dictionary.into_other``).
Translate = Callable[[str, str], Sequence[str]]

MIN_SENTENCE_SCORE = 0.80  # e5 query->passage cosine; below it a sentence does not answer anything
# A sentence in the other language than the question's may be this much lower: cross-lingual cosines run lower, by
# the gap between the retrieval floors (``retrieval.min_relevance`` 0.835, ``min_relevance_cross_lingual`` 0.785).
CROSS_LINGUAL_GAP = 0.05
# A sentence that gives a figure of what a "latest" question counts ("Masih ada 6.050 warga yang mengungsi" for "Berapa
# jumlah pengungsi ... saat ini?") may be this much lower again: the figure says it answers, where the cosine of a
# short sentence that does not repeat the story's words runs low. The same gap as across languages, not fitted.
FIGURE_GAP = CROSS_LINGUAL_GAP
RUNNER_UP_GAP = 0.04  # sentences further below the best one are padding, not answers


@dataclass(frozen=True)
class AskedFigure:
    """What a "berapa" / "how many" question counts (``asks.asked_thing``; "" when it counts nothing), its
    translations into the other language, the keyword tokens (both languages) of what it asks about the people it
    counts (``asks.asked_state``), whether it counts them one by one (``asks.asks_count``), whether it asks for a
    figure per span of time (``asks.asks_rate``), for a price, the keyword tokens (both languages) of what is
    priced (``asks.priced_item``), for cases, of the illness (``asks.case_kind``), whether it asks for a share
    (``asks.asks_share``) and what it says happened to what it counts (``conditions.asked_condition``: died, in
    hospital, ...; ``conditions.asked_happening``: cancelled, destroyed, blocked, ...). ``money``: whether it asks
    for money and names nothing more ("How much has the company been fined?": ``asks.MONEY_WORDS``), so any amount
    gives it. ``people``: whether the thing is people (``asks.counts_people``), read once here, not for every
    sentence searched for a figure. ``responders``: whether it counts those who respond (rescuers, personnel) and
    asks no condition of theirs: people a report counts as dead, missing or rescued are none of them."""

    thing: str = ""
    translations: tuple[str, ...] = ()
    state: frozenset[str] = frozenset()
    countable: bool = False
    rate: bool = False
    item: frozenset[str] = frozenset()
    share: bool = False  # asks for a share ("berapa persen", "what percentage"): only a share gives it
    condition: Condition | None = None  # what happened to what it counts (``conditions.asked_condition``)
    responders: bool = False  # those who respond (rescuers, officers: ``conditions.responds``), in no condition
    each: bool = False  # an amount for each one of something ("each passenger"): not a total paid to many
    illness: frozenset[str] = frozenset()  # which cases it counts (``asks.case_kind``), tokens of both languages
    # the unit a question names after "per" (``asks.asked_per``), its names in both languages: read for a price only
    per: frozenset[str] = frozenset()
    # whether the people it asks about (``state``) are sheltering (``_SHELTERED``): none of those a report counts as
    # struck (dead, missing, in hospital: ``conditions.victims_counted``)
    unstruck: bool = False
    people: bool = field(init=False, default=False)
    priced: bool = field(init=False, default=False)  # a price: an amount per unit gives it (``asks.prices``)
    money: bool = field(init=False, default=False)  # money and nothing more: any amount gives it (``asks.amounts``)

    def __post_init__(self) -> None:
        if self.infected:  # however a report says they caught it ("terserang", "berobat karena")
            object.__setattr__(self, "state", self.state | INFECTED)
        object.__setattr__(self, "people", bool(self.thing) and counts_people(self.thing, self.translations))
        object.__setattr__(self, "priced", not PRICE_WORDS.isdisjoint((self.thing, *self.translations)))
        object.__setattr__(self, "money", self.thing in MONEY_WORDS)

    @property
    def infected(self) -> bool:
        """Whether it asks about people infected ("terjangkit", "infected"): cases count them."""
        return not self.state.isdisjoint(INFECTED)

    def counts_in(self, sentence: str, *more: str) -> set[float]:
        """The figures of ``sentence`` that count the thing (or its translations, or ``more`` names of it), as this
        question counts it: one by one or not, as people or not, per span of time or not (``asks.counts_of``); for
        those who respond (rescuers, personnel), none that counts people in a condition (the missing they search
        for: ``conditions.victims_counted``)."""
        found = counts_of(sentence, self.thing, (*self.translations, *more), countable=self.countable,
                          people=self.people, per_span=self.rate, share=self.share)
        if self.share and not PROGRESS_WORDS.isdisjoint((self.thing, *self.translations)):
            found |= shares_done(sentence)  # "Work on the temporary Bailey bridge is 60 percent complete"
        return self.not_victims(sentence, found)

    def not_victims(self, sentence: str, found: set[float]) -> set[float]:
        """``found`` without, for a question about those who respond (rescuers, personnel), the figures ``sentence``
        gives of people a disaster struck (``conditions.victims_counted``): "Rescuers will end the search ..., with
        *19 people* still missing" counts no rescuers."""
        return found - victims_counted(sentence) if found and self.responders else found


NO_FIGURE = AskedFigure()


@dataclass(frozen=True)
class Sentences:
    """The sentences of ``passages`` ranked against the question, best first; those that cannot answer what it
    asks for (a "berapa" question's sentences without a number, a "kapan" question's without a date:
    ``assistant.asks``) are left out when one that can answers closely enough."""

    passages: Sequence[Passage]
    units: list[Unit]
    focus: Sequence[str] = ()  # what they were ranked against (the question first)
    figure: AskedFigure = NO_FIGURE  # what a "berapa" / "how many" question counts
    language: str = ""  # the question's
    qualifiers: frozenset[str] = frozenset()  # keyword tokens of what a counting question says about its thing
    state: frozenset[str] = frozenset()  # keyword tokens, both languages, of what it asks about people it counts

    def answers(self, unit: Unit, leeway: float = 0.0) -> bool:
        """Whether ``unit`` is close enough to the question to answer it (``MIN_SENTENCE_SCORE``, a little less
        for a sentence in the other language, and ``leeway`` less again)."""
        cross = crosses(self.language, self.passages[unit.source].hit.lang)
        return unit.cosine >= MIN_SENTENCE_SCORE - (CROSS_LINGUAL_GAP if cross else 0.0) - leeway

    def published(self, unit: Unit) -> str:
        return self.passages[unit.source].hit.published

    def as_of(self, day: str) -> Sentences:
        """The sentences of the passages published on or before ``day`` (ISO): the newest report of a range that
        ends before today ("berita terbaru soal Manchester United pada Mei 2017") is that range's, not today's.
        Unchanged when none of those answers."""
        return self._published_in("", day, self.answers)

    def reported_in(self, first: str, last: str) -> Sentences:
        """The sentences of the passages published from ``first`` to ``last`` (ISO; "" leaves that end open) when
        one of them gives the asked figure close enough to the question (``_gives_asked``): a figure asked
        "according to reports on May 10" or "pada 27 November" is the one reported then, not a closer sentence of
        another day's report. Unchanged when none does (the range may date the event, reported later)."""
        return self._published_in(first, last, lambda u: _gives_asked(self, u))

    def _published_in(self, first: str, last: str, enough: Callable[[Unit], bool]) -> Sentences:
        """The sentences of the passages published from ``first`` to ``last`` (ISO; "" leaves that end open) when one
        of them is ``enough``; unchanged otherwise."""
        kept = [u for u in self.units if (day := self.published(u)) and first <= day and (not last or day <= last)]
        return replace(self, units=kept) if any(map(enough, kept)) else self

    def near_best(self) -> list[Unit]:
        """The sentences that answer about as well as the best one."""
        best = max((u.cosine for u in self.units), default=1.0)
        return [u for u in self.units if u.cosine >= best - RUNNER_UP_GAP and self.answers(u)]


def stated_first(units: Sequence[Unit], kind: AnswerKind, answers: Callable[[Unit], bool]) -> list[Unit]:
    """``units`` with the best one that states what a question of ``kind`` asks for when it is a "why" or a "how"
    (a reason, a means: ``asks.can_answer``) and ``answers`` it moved first, so it is quoted with the best ones
    (``best_sentences`` keeps those within ``RUNNER_UP_GAP`` of the first); the others keep their order. Other
    kinds' units, and units none of which states it, are returned as they are."""
    stated = next((u for u in units if answers(u) and can_answer(u.text, kind)), None) \
        if kind in PREFERRED_KINDS else None
    return [stated, *(u for u in units if u is not stated)] if stated is not None else list(units)


def rank_sentences(focus: Sequence[str], passages: Sequence[Passage], embedder, encoding,
                   translate: Translate | None = None, *, language: str = "",
                   figure: AskedFigure | None = None) -> Sentences:
    """``passages``' sentences scored against ``focus`` (see ``context.rank_units``). ``translate`` gives a word's
    translations into the other language (``core.models.dictionary``): what a question counts is then found in
    articles of either language ("patients": "pasien"). ``language`` is the question's, as the conversation tells
    it ("dan Google?" alone says little); read from ``focus[0]`` when not given. ``figure``: what ``focus[0]`` counts
    (``question_figure``), when the caller has read it already."""
    units = rank_units(focus, [replace(p.hit, text=p.text) for p in passages], embedder, encoding) if passages else []
    kind = asked_kind(focus[0]) if focus else "other"
    language = language or (detect_language(focus[0]) if focus else "")
    ranked = Sentences(passages, units, tuple(focus), language=language)
    if kind in PREFERRED_KINDS:  # the best sentence stating a reason or a means first; the others keep their rank
        ranked = replace(ranked, units=stated_first(units, kind, ranked.answers))
    elif kind != "other":
        fitting = [u for u in units if can_answer(u.text, kind)]
        ranked = replace(ranked, units=fitting) if any(ranked.answers(u) for u in fitting) else ranked
    if kind == "quantity":
        figure = figure if figure is not None else asked_figure(focus[0], language, translate)
        ranked = replace(ranked, figure=figure, qualifiers=qualifiers(focus[0], figure.thing, translate))
    return ranked


def asked_figure(question: str, language: str,
                 translate: Translate | None = None) -> AskedFigure:
    """What a "berapa" / "how many" ``question`` counts (``AskedFigure``; ``NO_FIGURE`` when it counts nothing);
    ``translate`` gives a word's translations into the other language than its own. An Indonesian thing is also
    named by the loanwords of its English translations that translate back into them (``loan_spelling``:
    "sumbangan", "donation": "*donasi* masyarakat yang terkumpul")."""
    thing = asked_thing(question)
    if not thing:
        return NO_FIGURE
    also = tuple(translate(thing, language)) if translate is not None else ()
    if language == "id" and translate is not None and (compound := with_next_word(question, thing)):
        also += tuple(t for t in translate(compound, language) if t not in also)  # "pengembalian uang": "refund"
    if gloss := glossed(question, thing):
        also += (gloss,)  # "volunteer larva monitors (jumantik)": "kader jumantik"
    if language == "id" and translate is not None:
        # "sumbangan": "donation", and so "donasi", the loanword news also writes for it: a loanword the dictionary
        # translates back into that word (not "nation": "nasi", which is rice)
        also += tuple(dict.fromkeys(loan for word in also for loan in loan_spelling(word)
                                    if loan not in (thing, *also) and word in translate(loan, "id")))
    item = frozenset().union(*(_tokens_both_ways(word, language, translate) for word in priced_item(question)))
    # which cases, when it counts cases ("Berapa kasus DBD ...?"; not the suspects "dalam kasus suap"); an illness is
    # often named alike in both languages ("leptospirosis")
    illness = frozenset().union(*(_tokens_both_ways(word, language, translate)
                                  | set(analyze(word, other_language(language))) for word in case_kind(question))) \
        if stem(thing) in CASE_NOUNS else frozenset()
    share = asks_share(question)
    people = counts_people(thing, also) or names_condition(thing)  # "How many of those *hurt* ... in hospital?"
    condition = None if share else asked_condition(question, thing) if people else asked_happening(question)
    if condition in ("cancelled", "delayed"):  # "perjalanan kereta" are trains, trains cancelled are trips
        vehicle, trips = trip_names(question, thing)
        also += trips + ((vehicle, *(translate(vehicle, language) if translate is not None else ())) if vehicle else ())
    # "How many rescuers ...?", not "Berapa polisi yang terluka?" (a condition of theirs, named in the question)
    responders = any(map(responds, (thing, *also))) and not names_a_condition(question)
    rate = asks_rate(question)
    each = not (rate or share or item) and asks_each(question)
    per = _unit_names(asked_per(question), language, translate)
    state = _tokens_both_ways(asked_state(question), language, translate)
    return AskedFigure(thing, also, state, asks_count(question, thing, also), rate, item, share, condition, responders,
                       each, illness, per, not state.isdisjoint(_SHELTERED))


def _unit_names(word: str, language: str, translate: Translate | None) -> frozenset[str]:
    """``word`` (a unit something is sold by, in ``language``), its translations and theirs back, each as ``stem`` and
    ``unit_name`` read it: "jeriken", "jerrycan"; "kg", "kilogram"."""
    if not word:
        return frozenset()
    translations, back = _both_ways(word, language, translate)
    return frozenset(name for w in (word, *translations, *back) for name in (stem(w), unit_name(w)))


def _other_unit_prices(sentence: str, figure: AskedFigure) -> set[float]:
    """The prices ``sentence`` gives for one of another unit than the one ``figure`` prices (``AskedFigure.per``):
    "Rp 275.000 per *tangki*" gives no "harga air per jeriken"."""
    if not (figure.priced and figure.per):
        return set()
    return {value for value, unit in priced_per(sentence) if unit and not figure.per & {stem(unit), unit_name(unit)}}


def question_figure(question: str, language: str, translate: Translate | None = None) -> AskedFigure:
    """What a "berapa" / "how many" ``question`` counts (``asked_figure``); ``NO_FIGURE`` for other questions. Read
    once per question and passed on: retrieval looks for the reports that give it (``figure_finder``), the sentences
    are read for it (``figures_first``, ``rank_sentences``)."""
    return asked_figure(question, language, translate) if asked_kind(question) == "quantity" else NO_FIGURE


def figures_first(units: Sequence[Unit], hits: Sequence[Hit], figure: AskedFigure) -> list[Unit]:
    """``units`` (a question's ranked sentences) with those that give a figure of what a "berapa" / "how many"
    question counts (``figure``: ``question_figure``) first, each group in rank order; as they are when it counts
    nothing. A "latest" question is answered from the newest report of its figure (``newest_report``), which can only
    be found among the sentences the context budget keeps: every report's lead ("Korban tewas bertambah menjadi 6
    orang") is closer to the question than the sentence that gives the asked figure ("pengungsi tinggal 640 jiwa")."""
    if not figure.thing:
        return list(units)
    gives = [gives_figure(u.text, hits[u.source].lang, figure) for u in units]
    return [u for u, g in zip(units, gives) if g] + [u for u, g in zip(units, gives) if not g]


def figure_finder(question: str, figure: AskedFigure) -> Callable[[Hit], bool] | None:
    """For a "berapa" / "how many" question, whether a passage gives a figure of what it counts in one of its
    sentences (``gives_figure``, in the passage's language) in an article whose title or lead (the first sentence
    of its first passage) names what the question names, when it names something ("Wanakerti", "KMP Citra
    Bahari": a report from the next regency counts its own evacuees; one filed from a village of the regency names
    the village in its title and the regency in its lead), or the sentence that gives it does (a market report from
    the island: "antrean truk *di Labuan Sarai* tinggal 18 truk"); ``None`` for questions that count nothing.
    ``figure``: what ``question`` counts (``question_figure``)."""
    if not figure.thing:
        return None
    names = {name.lower() for name in entity_terms(question).split() if not name.isdigit()}

    def gives(hit: Hit) -> bool:
        sentences = split_sentences(hit.text)
        lead = sentences[0] if hit.index == 0 and sentences else ""
        named = not names or _names_any(f"{hit.title} {lead}", names)
        return any((named or _names_any(s, names)) and gives_figure(s, hit.lang, figure) for s in sentences)
    return gives


def _names_any(sentence: str, names: set[str]) -> bool:
    """Whether ``sentence`` names one of ``names`` (lower case)."""
    return not names.isdisjoint(word.lower() for word in words(sentence))


def gives_figure(sentence: str, lang: str, figure: AskedFigure) -> bool:
    """Whether ``sentence`` (in ``lang``) gives a figure of what a "berapa" / "how many" question counts: its thing
    or one of its translations counted (``asks.counts_of``), or, for people of some kind (``asks.counts_people``),
    people counted in a sentence that names them ("2.800 warga masih bertahan di *pengungsian*" for "pengungsi").
    People counted by a plain noun ("How many *people* are displaced?") must be counted in a sentence that says
    what the question asks about them (``figure.state``), or by a noun that says it ("12 suspects" for people
    made suspects, ``asks.STATE_NOUNS``: "23 deaths" for people who died). A price is given by any amount per
    unit or that something is sold at (``asks.prices``: "satu jeriken kini dijual Rp 7.000"). A question that asks
    for a figure per span of time ("dalam sehari", "a day") is given only by one (``asks.counts_of``). A question
    about people in a condition ("Berapa korban *jiwa*?", "still in hospital": ``figure.condition``) is given only
    by a figure of that condition (``conditions.condition_counts``), whatever noun counts them."""
    if figure.condition is not None:  # "23 orang" of "korban meninggal ... menjadi 23 orang" for a death toll
        return bool(_of_condition(sentence, figure, figure.condition))
    tokens = analyze(sentence, lang)
    if figure.state:
        for unit in counted(sentence):  # "12 *suspects*" for "dijadikan tersangka", "23 *deaths*" for "died"
            said = {STATE_NOUNS.get(token, token) for token in analyze(unit, lang)} if unit else set()
            if not said.isdisjoint(figure.state) or stem(unit) in CASE_NOUNS and figure.infected:
                return True  # "437 *kasus* kolera" for "terjangkit"
        return not figure.state.isdisjoint(tokens) and bool(_in_state(sentence, figure))
    not_asked = _other_unit_prices(sentence, figure)  # "Rp 275.000 per tangki" for the price of a jerrycan
    if found := (figure.counts_in(sentence) | (amounts(sentence) if figure.money else set())) - not_asked:
        # an amount for each one ("each passenger") is not a total paid to many
        return not (figure.each and found <= amounts(sentence) and not gives_each(sentence))
    if figure.priced and prices(sentence) - not_asked:
        return True
    if not figure.people:
        return False  # a count of people gives no figure of houses, schools or hectares
    names_it = not set(analyze(" ".join((figure.thing, *figure.translations)), lang)).isdisjoint(tokens)
    # people counted, by any person noun
    people = counts_of(sentence, "people", PERSON_WORDS, per_span=figure.rate) if names_it else set()
    return bool(figure.not_victims(sentence, people))


def _tokens_both_ways(word: str, language: str, translate: Translate | None) -> frozenset[str]:
    """The keyword tokens of ``word`` (in ``language``), of its translations into the other language and of theirs
    back into ``language``: the words a report may use for it in either language ("displaced": "displac", "ungsi";
    "meninggal": "die", "kill", ..., "tewas", "wafat", so "Berapa orang yang meninggal?" is answered by "Banjir itu
    menewaskan 14 orang")."""
    if not word or language not in ("id", "en"):
        return frozenset()
    translations, back = _both_ways(word, language, translate)
    other = other_language(language)
    return frozenset(analyze(word, language)).union(*(analyze(t, other) for t in translations),
                                                    *(analyze(again, language) for again in back))


def _both_ways(word: str, language: str, translate: Translate | None) -> tuple[Sequence[str], list[str]]:
    """``word``'s translations into the other language than ``language`` and theirs back into it (none without a
    dictionary): "jeriken" -> ["jerrycan"], ["jeriken", "jerigen"]."""
    if translate is None:
        return [], []
    translations = translate(word, language)
    return translations, [again for t in translations for again in translate(t, other_language(language))]


# Words that say when, not what: a "latest" question's time words qualify nothing.
_TIME_WORDS = "saat ini sekarang kini terkini terbaru terakhir hingga data menurut latest now currently current " \
              "so far still recorded according figures newest"


def qualifiers(question: str, thing: str, translate: Translate | None = None) -> frozenset[str]:
    """What ``question`` says about the thing it counts, as keyword tokens of both languages: "Berapa pasien
    yang masih *dirawat inap*?", "How many people are currently *displaced*?" (also the story's own words; the
    thing itself and time words left out)."""
    language = detect_language(question)
    if language not in ("id", "en"):
        return frozenset()
    other = "en" if language == "id" else "id"
    leave = set(analyze(f"{thing} {_TIME_WORDS}", language)) | set(analyze(_TIME_WORDS, other))
    found: set[str] = set()
    for word in words(question):
        tokens = [t for t in analyze(word, language) if t not in leave and not t.isdigit()]
        if not tokens:
            continue
        found.update(tokens)
        for translation in translate(word, language) if translate is not None else ():
            found.update(t for t in analyze(translation, other) if t not in leave)
    return frozenset(found)


def best_sentences(ranked: Sentences, limit: int, *, newest: bool = False) -> list[tuple[int, str]]:
    """Up to ``limit`` (passage number, sentence) close to the best one, in reading order. ``newest`` ("latest"
    questions, figures that changed): only sentences of the most recently published passage among those whose
    sentences answer about as well as the best one, so a figure is not taken from an older report when a newer
    one gives it, nor from a newer article that is about something else."""
    units = _distinct(newest_report(ranked) if newest else ranked.units)
    # a newest report's figure may be a little below the floor (``FIGURE_GAP``): the sentence that gives it, or one
    # that gives a new figure in its place (``_followed``)
    chosen = [u for u in units[:limit] if ranked.answers(u) or newest and bool(ranked.figure.thing)
              and ranked.answers(u, FIGURE_GAP) and bool(figures(u.text))]
    chosen = [u for u in chosen if u.cosine >= chosen[0].cosine - RUNNER_UP_GAP] if chosen else []
    chosen.sort(key=lambda u: (u.source, u.position))
    # a passage's kept sentences are joined by " … " where sentences were left out (``context.select``)
    return [(ranked.passages[u.source].n, u.text.strip(" …")) for u in chosen]


def says_not(ranked: Sentences, limit: int, *, newest: bool = False) -> bool:
    """Whether the sentences an answer would quote (``best_sentences``; ``newest``: of the newest report) say that
    something did not happen or is not so (``asks.states_negation``): a question about what did not
    (``asks.asks_negated``) is answered only by one that does. Sentences further down that hold a "tidak" answer
    something else. A "berapa" / "how many" question counts what is not so yet in the words of what is still so
    ("masih buron" for "belum tertangkap")."""
    counting = bool(ranked.focus) and asked_kind(ranked.focus[0]) == "quantity"
    quoted = best_sentences(ranked, limit, newest=newest)
    return any(states_negation(sentence, counting=counting) for _, sentence in quoted)


def _distinct(units: Sequence[Unit]) -> list[Unit]:
    """``units`` without repeats: a sentence that two articles share (a syndicated report, the same agency copy)
    is quoted once, from its best-ranked passage."""
    seen: set[str] = set()
    kept = []
    for u in units:
        key = " ".join(u.text.strip(" …").casefold().split())
        if key not in seen:
            seen.add(key)
            kept.append(u)
    return kept


def newest_report(ranked: Sentences) -> list[Unit]:
    """The sentences a "latest" answer is taken from, best first.

    A developing story is reported again and again: its lead sentences ("TIRTAMAYA - Korban meninggal bertambah
    menjadi 7 orang") stay close to any question about it, while the sentence giving the asked figure of a later
    day ("BPBD mencatat 2.800 warga masih bertahan di pengungsian") can score a little lower. So for a "berapa" /
    "how many" question the figure comes first, then its newest report (the sentences of the newest article that
    count the same thing, the same word after a number or the same currency: ``asks.counted``, and still answer
    the question); other questions take rule 3 alone:
    0. the newest figure of what the question counts (``asks.asked_thing``: "Berapa jumlah *kasus* DBD?"), named
       after the number or before it ("Jumlah kasus DBD ... mencapai 1.421": ``asks.counts_of``), or people counted
       in a sentence that names it (``gives_figure``);
    1. the figure of a thing the question names ("Berapa *rumah* rusak?": "850 rumah"), in its newest report;
    2. else the best sentence's figure, when a later article reports the same thing again;
    3. else the sentences of the newest article among those answering about as well as the best (also for
       questions about something that is not counted: a bridge that reopened).
    People counted by a noun that says nothing of them ("How many *people* are currently *displaced*?": every
    report counts people, the dead first) are named by what the question asks about them (``AskedFigure.state``):
    rule 0 takes only the sentences that count people and say it ("2.800 warga masih bertahan di pengungsian")."""
    if not ranked.focus or asked_kind(ranked.focus[0]) != "quantity":
        return _newest_near_best(ranked)
    if naming := [u for u in ranked.units if ranked.published(u) and _gives_asked(ranked, u)]:
        naming = _of_illness(ranked, _naming_item(ranked, naming))
        values = {id(u): _asked_values(ranked, u) for u in naming}  # read once: each sentence's asked figures
        naming = _unrounded(ranked, naming, values)
        follows = _followed(ranked, naming, set().union(*values.values()))
        values.update((id(u), _asked_values(ranked, u)) for u in follows)
        naming += follows
        newest_day = max(ranked.published(u) for u in naming)
        newest = [u for u in naming if ranked.published(u) == newest_day]
        # a figure that replaced a known one: a later sentence that gives a new figure in its place, or one of the
        # newest report's that says it changed it ("mengoreksi jumlah truk yang tertahan dari 712 menjadi 640 unit";
        # a price only for a question about one: not "cabai rawit dijual Rp 54.000 per kilogram, turun dari Rp 58.000"
        # for the money set aside to rebuild a market, whose known amounts hold every amount, prices too)
        known = set().union(*(values[id(u)] for u in naming if ranked.published(u) < newest_day))
        followed = {id(u) for u in follows}
        fresh = [u for u in follows if ranked.published(u) == newest_day] + [
            u for u in newest if id(u) not in followed and (r := replaced(u.text))[0]
            and not r[1].isdisjoint(known) and (ranked.figure.priced or not r[0] <= prices(u.text))]
        # of its sentences, the one about what is asked
        return _qualified(ranked, fresh) or fresh or _qualified(ranked, newest) or newest
    answering = [u for u in ranked.units if ranked.answers(u)]
    counts = {id(u): counted(u.text).keys() for u in answering}  # what each sentence counts, read once
    named = {unit_name(word) for word in re.findall(r"[^\W\d_]+", ranked.focus[0].lower())}
    by_name = next((u for u in answering if named & counts[id(u)]), None)
    figure = by_name or (answering[0] if answering else None)
    things = {what for what in counts[id(figure)] if what} if figure is not None else set()
    if figure is not None and things and (day := ranked.published(figure)):
        same = [u for u in answering if ranked.published(u) >= day and things & counts[id(u)]]
        newest_day = max(ranked.published(u) for u in same)
        if by_name is not None or newest_day > day:
            return [u for u in same if ranked.published(u) == newest_day]
    return _newest_near_best(ranked)


def _unrounded(ranked: Sentences, naming: list[Unit], values: dict[int, set[float]]) -> list[Unit]:
    """``naming`` (sentences that give the asked figure, ``values`` their figures by id) without the newest reports
    that only round an older figure down to a bound (``asks.lower_bounds``): after "The number of farms under
    quarantine has risen to 341", a later "Lebih dari 300 peternakan masih dikarantina" gives no new count, so 341
    is the newest. A bound above every older figure, or below half of it, is news ("More than 740 victims" after
    312), and so is a report that gives an exact figure beside it."""
    while True:
        newest_day = max(ranked.published(u) for u in naming)
        newest = [u for u in naming if ranked.published(u) == newest_day]
        older = set().union(*(values[id(u)] for u in naming if ranked.published(u) < newest_day))
        if not older or not all(_rounds(values[id(u)], lower_bounds(u.text), older) for u in newest):
            return naming
        naming = [u for u in naming if ranked.published(u) < newest_day]


def _rounds(given: set[float], bounds: set[float], older: set[float]) -> bool:
    """Whether figures ``given`` are all lower ``bounds`` that one of the ``older`` figures meets, as a rounding down
    of it does (within a factor of two)."""
    return bool(given) and given <= bounds and all(any(b < k < 2 * b for k in older) for b in given)


def _naming_item(ranked: Sentences, units: list[Unit]) -> list[Unit]:
    """Of ``units`` (sentences that give a price a question asks), those that name what it prices, when any does
    (``AskedFigure.item``): "Harga *Dieselux* tidak berubah, tetap Rp 15.350 per liter", not the same day's later
    "Soybeans sold for Rp 13,750 a kilogram"; all of them when none names it or the question prices nothing."""
    item = ranked.figure.item
    if not item:
        return units
    naming = [u for u in units if not item.isdisjoint(_tokens(ranked, u))]
    return naming or units


def _of_illness(ranked: Sentences, units: list[Unit]) -> list[Unit]:
    """Of ``units`` (sentences that give the cases of an illness a question asks: ``AskedFigure.illness``), none that
    counts the cases of another (``asks.case_kind``: "kasus *leptospirosis* bertambah menjadi sebelas", not a later
    "961 kasus *diare*"; but "total kasus kini 1.203", which names none), in a language whose sentences name it: the
    other language may name it otherwise ("ISPA", "respiratory infection"). Unlike a price's item, which is named
    alike in both languages, an illness is filtered language by language."""
    illness = ranked.figure.illness
    if not illness:
        return units
    names = [not illness.isdisjoint(_tokens(ranked, u)) for u in units]
    named = {ranked.passages[u.source].hit.lang for u, said in zip(units, names) if said}
    return [u for u, said in zip(units, names)
            if said or ranked.passages[u.source].hit.lang not in named or not case_kind(u.text)]


def _tokens(ranked: Sentences, unit: Unit) -> list[str]:
    """``unit``'s keyword tokens, as its passage's language analyses them."""
    return analyze(unit.text, ranked.passages[unit.source].hit.lang)


def _followed(ranked: Sentences, naming: list[Unit], given: set[float]) -> list[Unit]:
    """The sentences of ``naming``'s newest day or later (``naming``: sentences that give a figure of what a question
    counts, ``given``: those figures) that give a new figure in place of one of them, however they name it: "The
    manpower office puts the total at 10,170, *up from 9,530* on Wednesday" follows "jumlah pekerja ... kini 9.530
    orang". Followed again from what they give; only sentences close enough to the question for a figure
    (``FIGURE_GAP``)."""
    known = set(given)
    newest_day = max(ranked.published(u) for u in naming)
    named = {id(u) for u in naming}
    later = [(u, replaced(u.text)) for u in ranked.units
             if id(u) not in named and ranked.published(u) >= newest_day and ranked.answers(u, FIGURE_GAP)]
    follows: list[Unit] = []
    while found := [(u, r) for u, r in later if r[0] and not r[1].isdisjoint(known)]:
        follows += [u for u, _ in found]
        known.update(*(r[0] for _, r in found))
        later = [(u, r) for u, r in later if not any(u is f for f, _ in found)]
    return follows


def _of_condition(sentence: str, figure: AskedFigure, condition: Condition) -> set[float]:
    """The figures of ``sentence`` that count what ``figure`` counts in ``condition``: people in it, whatever noun
    counts them ("23 orang" of "korban meninggal ... menjadi 23 orang"), or the things it counts that it happened to
    ("membatalkan 412 *penerbangan*", not "412 *penumpang*"; money by its amounts: "memblokir dana Rp 20,9 miliar")."""
    found = set(condition_counts(sentence, condition))
    if not found or not of_things(condition):
        return found
    if figure.money or figure.each and says_each(sentence):
        # ... and an amount for each one ("bantuan untuk setiap rumah yang rusak berat") is given by one that a
        # sentence says is for each, whatever it calls it: "will pay Rp 50 million to the owner of every house heavily
        # damaged"
        return found & amounts(sentence)
    # an amount is a figure of a thing only when asked for each one of them: "Rp 12,5 juta untuk setiap rumah yang
    # rusak berat" counts no house
    return found & figure.counts_in(sentence) - (set() if figure.each else amounts(sentence))


# What people displaced are said to be, as keyword tokens of both languages: "mengungsi", "pengungsian", "displaced",
# "evacuated", "shelter". Those who fell into a river or tested positive include the dead; the displaced do not.
_SHELTERED = frozenset("ungsi displac evacu evacue shelter refug".split())


def _in_state(sentence: str, figure: AskedFigure) -> set[float]:
    """The figures of ``sentence`` that count people by any person noun, for a question that asks what happened to
    them (``AskedFigure.state``), but for the displaced (``AskedFigure.unstruck``) none of those it counts as struck
    (dead, missing, in hospital: ``conditions.victims_counted``): "Gempa tersebut menewaskan *72 orang*, *dua orang*
    dinyatakan hilang, dan jumlah pengungsi sempat mencapai 31.280 jiwa" gives no count of the displaced."""
    found = figure.counts_in(sentence, *PERSON_WORDS)
    return found - victims_counted(sentence) if found and figure.unstruck and not figure.infected else found


def _asked_values(ranked: Sentences, unit: Unit) -> set[float]:
    """The values ``unit`` gives of what a "berapa" / "how many" question counts (``asks.counts_of``, with the person
    nouns for people named by what the question asks about them, and prices for a price)."""
    figure = ranked.figure
    if figure.condition is not None:
        return _of_condition(unit.text, figure, figure.condition)
    found = _in_state(unit.text, figure) if figure.state and not figure.infected else figure.counts_in(
        unit.text, *(PERSON_WORDS if figure.state else ()), *(CASE_NOUNS if figure.infected else ()))
    if figure.priced:
        return (found | prices(unit.text)) - _other_unit_prices(unit.text, figure)
    # a price is no figure of anything else a question counts ("daging *sapi* dijual Rp 158.000 per kilogram")
    return found | amounts(unit.text) if figure.money else found - prices(unit.text)


def _counts_asked(ranked: Sentences, unit: Unit) -> bool:
    """Whether ``unit`` gives a figure of what a "berapa" / "how many" question counts (``gives_figure``)."""
    return bool(ranked.figure.thing) and gives_figure(unit.text, ranked.passages[unit.source].hit.lang, ranked.figure)


def _gives_asked(ranked: Sentences, unit: Unit) -> bool:
    """Whether ``unit`` gives a figure of what a "berapa" / "how many" question counts and is close enough to the
    question for that (``FIGURE_GAP`` below the sentence floor)."""
    return ranked.answers(unit, FIGURE_GAP) and _counts_asked(ranked, unit)


def gives_newest_figure(ranked: Sentences) -> bool:
    """Whether the newest report of a question about a figure's newest value ("latest", "since") has a sentence that
    gives a figure of what it counts, close enough to the question (``_gives_asked``): then it is answered with it
    even when the answer model says the articles do not hold the answer."""
    return any(_gives_asked(ranked, u) for u in newest_report(ranked))


def _qualified(ranked: Sentences, units: Sequence[Unit]) -> list[Unit]:
    """Those of ``units`` (one report's sentences that count the asked thing) that say most of what the question
    says about it (``Sentences.qualifiers``). Each word weighs by how few of the sentences hold it:
    the story's own words, in every lead sentence, weigh little; "rawat inap" in two sentences of thirty a lot.
    So "Berapa pasien yang masih dirawat inap?" is answered by "158 pasien masih menjalani rawat inap", not by the
    same report's lead "... mencapai 1.421 kasus, dengan 13 pasien meninggal dunia"."""
    if not ranked.qualifiers:
        return []
    held = [_held(ranked.qualifiers, _tokens(ranked, u)) for u in ranked.units]
    df: dict[str, int] = {}
    for tokens in held:
        for token in tokens:
            df[token] = df.get(token, 0) + 1
    weight = {t: math.log(1 + len(ranked.units) / n) for t, n in df.items()}
    score = {id(u): sum(weight[t] for t in tokens) for u, tokens in zip(ranked.units, held)}
    best = max((score[id(u)] for u in units), default=0.0)
    return [u for u in units if best > 0 and score[id(u)] == best]


SAME_ROOT = 5  # letters a root has at least, for a word derived from it to count as holding it
# What the stemmers leave on a noun made from a verb: "vaksin" -> "vaksin*asi*", "evakuasi" -> "evakuasi*nya*",
# "evacuat" -> "evacuat*ion*". Not any ending: the English stem "dengu" is no root of the Indonesian "dengue".
_DERIVED = frozenset("asi isasi nya an kan ion ation".split())


def _held(wanted: frozenset[str], tokens: Sequence[str]) -> set[str]:
    """Those of ``wanted`` (keyword tokens) that ``tokens`` hold, as written or as a noun made from it ("vaksin" in
    "vaksinasi", and the other way round; not "tin" in "tinggal")."""
    held = set(wanted.intersection(tokens))
    held.update(want for want in wanted - held if any(_derived(t, want) or _derived(want, t) for t in tokens))
    return held


def _derived(word: str, root: str) -> bool:
    """Whether ``word`` is ``root`` with a derivational ending (``_DERIVED``)."""
    return len(root) >= SAME_ROOT and word.startswith(root) and word[len(root):] in _DERIVED


def _newest_near_best(ranked: Sentences) -> list[Unit]:
    newest_day = max((ranked.published(u) for u in ranked.near_best()), default="")
    return [u for u in ranked.units if ranked.published(u) == newest_day] if newest_day else ranked.units


def earlier_sentence(ranked: Sentences, before: str) -> tuple[Passage, str] | None:
    """The best sentence of the passages published before ``before`` (ISO), when one answers at all: what an
    older report said, to show next to the newest one. For a "berapa" / "how many" question, the best one that
    gives a figure of what it counts, when one does ("5.100 warga kini tinggal di 11 titik pengungsian" under
    "2.800 warga masih bertahan di pengungsian", not that day's death toll)."""
    older = [u for u in ranked.units if "" < ranked.published(u) < before]
    same = [u for u in older if ranked.answers(u) and _counts_asked(ranked, u)]
    if same:
        return ranked.passages[same[0].source], same[0].text.strip(" …")
    if not older or not ranked.answers(older[0]):
        return None
    return ranked.passages[older[0].source], older[0].text.strip(" …")


def figures_changed(ranked: Sentences, focus: Sequence[str]) -> bool:
    """Whether a "berapa" / "how many" question is answered about equally well by articles of different dates that
    give different figures of the same thing (a death toll that rose: "7 orang", then "18 orang"; an amount in the
    same currency): then the answer gives the newest with its date and the older one after it, as for a "latest"
    question. Figures of different things ("40 kios", "Rp 13.500") are not a change."""
    if not focus or asked_kind(focus[0]) != "quantity":
        return False
    seen: dict[str, dict[str, set[float]]] = {}  # what is counted -> day -> figures
    for unit in ranked.near_best():
        if day := ranked.published(unit):
            for what, values in counted(unit.text).items():
                seen.setdefault(what, {}).setdefault(day, set()).update(values)
    return any(len({frozenset(v) for v in days.values()}) > 1 for days in seen.values())


def figures_disagree(answer: str, newest: Sequence[str]) -> bool:
    """Whether ``answer`` to a "latest" question gives figures, the sentences of the ``newest`` report
    (``best_sentences(..., newest=True)``) give figures, and none is the same: the answer read an older report or
    another figure ("28 personnel" where the newest report says "jumlah personel dikurangi menjadi 450 orang").
    Markers and dates are not figures; "Rp 1.2 billion" is "Rp 1,2 miliar" (``facts.quantities``)."""
    said = {q.value for q in figures(strip_markers(answer))}
    reported = {q.value for sentence in newest for q in figures(sentence)}
    return bool(said and reported) and said.isdisjoint(reported)


def extractive_answer(ranked: Sentences, language: str, limit: int, *, newest: bool = False) -> str:
    """The answer text with [n] markers, or "" when no sentence is close enough to the question."""
    chosen = best_sentences(ranked, limit, newest=newest)
    if not chosen:
        return ""
    body = " ".join(with_marker(sentence, [n]) for n, sentence in chosen)
    return f"{EXTRACTIVE_LEAD.get(language, EXTRACTIVE_LEAD['en'])} {body}"
