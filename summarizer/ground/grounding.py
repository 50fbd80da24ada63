"""Check every fact of an event against the article before it is trusted.

Each evidence quote is located in the article (``summarizer.ground.locate``: exact, then normalised,
then fuzzy above a threshold) and kept as character offsets. A number must appear in its own quote or phrase;
a name or place must appear in its quote; dates must follow from the time phrase and the
publication date. What fails is reported as a problem (the pipeline re-asks the model with
it) and, in the final pass, removed from the event and listed as a warning.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from summarizer.ground.locate import find_name, locate, mentions
from summarizer.ground.stated import CUES, counts_people, figures_in, speaks_of_children, stated_figures, without_ages
from summarizer.ground.stated import DAMAGE as DAMAGE_WORDS
from summarizer.ground.stated import SPEECH as SPEECH_WORDS
from summarizer.record.basetypes import Issue, Span
from summarizer.record.schema import (
    Actor,
    Casualties,
    Count,
    Damage,
    Event,
    Place,
    Qualifier,
    Statement,
    TimeWindow,
    Weapon,
)
from summarizer.text.dates import Window, resolve
from summarizer.text.normalize import TENS, UNITS, name_key, normalise, numbers_in

Entry = TypeVar("Entry", Place, Actor, Damage, Statement)  # the list entries checked by name


# ---------------------------------------------------------------- the check


@dataclass
class Grounding:
    """The outcome of checking one event: the cleaned event, where its facts are, and what was dropped."""

    event: Event
    spans: dict[str, Span] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)  # removed or corrected, with the reason
    notes: list[Issue] = field(default_factory=list)  # corrections that keep the value
    grounded: int = 0

    @property
    def removed(self) -> int:
        return sum(1 for problem in self.problems if problem.code == "ungrounded")


class _Checker:
    def __init__(self, text: str, published: date | None) -> None:
        self.text = text
        self.published = published
        self.spans: dict[str, Span] = {}
        self.problems: list[Issue] = []
        self.notes: list[Issue] = []
        self.grounded = 0

    def drop(self, path: str, message: str) -> None:
        self.problems.append(Issue(code="ungrounded", path=path, message=message))

    def find(self, path: str, quote: str) -> Span | None:
        span = locate(quote, self.text)
        if span is None:
            self.drop(path, f"evidence not found in the article: {_clip(quote)!r}")
        return span

    def accept(self, path: str, span: Span) -> None:
        self.spans[path] = span
        self.grounded += 1

    def evidence(self, path: str, quote: str) -> Span | None:
        """Locate a quote and accept it as the whole fact."""
        span = self.find(path, quote)
        if span is not None:
            self.accept(path, span)
        return span

    # Each check returns the value to keep (possibly corrected) or None to drop it.

    def count(self, path: str, count: Count | None) -> Count | None:
        """Keep a count whose figures its words state, in a passage about this field.

        The figures must be stated by the quote (digits and number words, ages left out) or by the count's
        phrase found inside it ("A 17-year-old boy" is 1, "both" 2, "no one was hurt" 0: ``stated``). The
        passage (the quote, or the sentence around the phrase, with the sentence after it) must speak of the
        field; a zero may be stated with the other casualty word ("no one was hurt": nobody killed either).
        """
        if count is None:
            return None
        field_name = path.rsplit(".", 1)[-1]
        figures = {n for n in (count.value, count.low, count.high) if n is not None}
        candidates = [(span, False) for span in [locate(count.evidence, self.text)] if span]
        phrase_span = locate(count.phrase, self.text)
        if phrase_span:
            candidates.append((self.sentence(phrase_span), True))
        reason = f"evidence not found in the article: {_clip(count.evidence)!r}"
        for span, repaired in candidates:
            quoted = self.text[span.start : span.end]
            phrase_inside = phrase_span is not None and _inside(phrase_span, span)
            children = field_name.startswith("children")
            stated = figures_in(quoted) | (stated_figures(count.phrase, children) if phrase_inside else set())
            if not figures <= stated:
                reason = f"{sorted(figures - stated)} not stated in {_clip(quoted)!r}"
            elif not self.speaks_of(field_name, span, figures == {0}, counts_people(count.phrase)):
                reason = f"{_clip(quoted)!r} does not speak of {field_name.replace('_', ' ')}"
            elif field_name.startswith("children") and not self.of_children(count, phrase_span, span):
                reason = f"{count.phrase!r} is not a count of children in {_clip(quoted)!r}"
            else:
                if repaired:
                    count = count.model_copy(update={"evidence": quoted})
                    self.note("repaired", path, f"evidence replaced by the sentence around {count.phrase!r}")
                stated_qualifier = explicit_qualifier(count) if phrase_inside else None
                if stated_qualifier and stated_qualifier != count.qualifier and count.qualifier != "vague":
                    change = f"qualifier {count.qualifier} -> {stated_qualifier} from {count.phrase!r}"
                    self.note("corrected", path, change)
                    count = _with_qualifier(count, stated_qualifier)
                self.accept(path, span)
                return count
        self.drop(path, reason)
        return None

    def speaks_of(self, field_name: str, span: Span, zero: bool = False, people: bool = False) -> bool:
        """Whether the passage at ``span`` speaks of the field; for a count of people, the sentence after it
        is part of the passage ("Two other people ... escaped. Both were treated for smoke inhalation.")."""
        passage = normalise(self.passage(span) if people else self.text[span.start : span.end])
        field_name = field_name.removeprefix("children_")  # children-ness is checked apart (of_children)
        if CUES[field_name].search(passage):
            return True
        if zero and field_name in ("killed", "injured", "children_killed", "children_injured"):
            return bool(CUES["killed"].search(passage) or CUES["injured"].search(passage))
        return False

    def of_children(self, count: Count, phrase: Span | None, span: Span) -> bool:
        """A children count speaks of children in its phrase or right beside it ("including a child")."""
        if speaks_of_children(count.phrase):
            return True
        if count.value == 0 and (UNIVERSAL_ZERO.search(normalise(count.phrase)) or self.children_in_sentence(span)):
            return True  # "No one was killed": no child either; "Her son, 3, ... suffered no injuries"
        if phrase is None:
            return speaks_of_children(self.text[span.start : span.end])
        return self.near_child(phrase)

    def children_in_sentence(self, span: Span) -> bool:
        return speaks_of_children(self.text[span.start : span.end])

    def passage(self, span: Span) -> str:
        """The text of ``span``, with the sentence after it when that one goes on about the same people ("Two
        other people ... escaped through a window. Both were treated for smoke inhalation."), and the sentence
        before it when ``span`` itself goes on about people counted there ("Three people were killed. The two
        pupils, a 12-year-old girl and a 13-year-old boy, were not named.")."""
        start, end = span.start, span.end
        following = self.sentence_after(span)
        if following is not None and ANAPHOR.match(self.text[following.start : following.end]):
            end = following.end
        if ANAPHOR.match(self.text[span.start : span.end]):
            index = bisect.bisect_right(self.sentence_ends, span.start) - 1
            if index >= 0:
                start = self.sentence(
                    Span(
                        start=self.sentence_ends[index] - 1, end=self.sentence_ends[index] - 1, match="exact", score=1.0
                    )
                ).start
        return self.text[start:end]

    def near_child(self, phrase: Span) -> bool:
        """Whether a child word is within a few words of a count's phrase: in "at least 17 injuries due to
        falling debris, including a child" the children count is the "a child", not the 17."""
        window = self.text[max(0, phrase.start - CHILD_WINDOW) : phrase.end + CHILD_WINDOW]
        return speaks_of_children(window)

    def named(self, path: str, item: Entry, name: str, what: str, cue: Cue | None = None) -> Entry | None:
        """Keep an item whose evidence names it; failing that, quote the sentence where the name occurs.

        With a ``cue`` the quote must also say what kind of fact it is: that someone spoke (SPEECH), that
        something was damaged (DAMAGE).
        """
        evidence = item.evidence
        span = locate(evidence, self.text)

        forms = [name, *self.short_forms(name)]

        def fits(candidate: Span) -> bool:
            quoted = self.text[candidate.start : candidate.end]
            if not any(mentions(quoted, form) for form in forms):
                return False
            if cue is None or cue.pattern.search(normalise(quoted)):
                return True
            # a speaker named in one sentence and quoted in the next: '... Kennedy ... . "...," he said.'
            following = self.sentence_after(candidate) if cue is SPEECH else None
            if following is None:
                return False
            said = self.text[following.start : following.end]
            if PRONOUN_SPEECH.search(said):
                return True
            # a quotation that goes on with no speech verb of anyone else's ('"The asphalt held up," ...')
            unquoted = re.sub('["“”]', " ", normalise(said))
            return bool(OPENING_QUOTE.match(said)) and not SPEECH_WORDS.search(unquoted)

        if span and fits(span):
            self.accept(path, span)
            return item
        sentence = self.naming_sentence(name, fits if cue is SPEECH else None)
        if sentence and fits(sentence):
            self.note("repaired", path, f"evidence replaced by the sentence that names {name!r}")
            self.accept(path, sentence)
            return item.model_copy(update={"evidence": self.text[sentence.start : sentence.end]})
        if sentence and cue is not None:
            self.drop(path, f"{what} {name!r}: no quote that names it {cue.says}")
        elif span is None:
            self.drop(
                path, f"{what} {name!r} is not in the article and its evidence was not found: {_clip(evidence)!r}"
            )
        else:
            self.drop(path, f"{what} {name!r} is not in the article")
        return None

    def short_forms(self, name: str) -> list[str]:
        """How the article goes on to name someone it has named in full: the surname ("Renee Costa" ->
        "Costa", as in "Costa promised") and an abbreviation it gives ("Rapid Support Forces (RSF)")."""
        if find_name(name, self.text) is None:
            return []
        forms = []
        words = name.replace("’s", "").replace("'s", "").split()
        if len(words) > 1 and words[-1][:1].isupper() and len(words[-1]) > 2:
            forms.append(words[-1])
        abbreviation = re.search(rf"{re.escape(name)}\s*\(([A-Z][A-Za-z]{{1,9}})\)", self.text)
        if abbreviation:
            forms.append(abbreviation.group(1))
        return forms

    def naming_sentence(self, name: str, fits: Callable[[Span], bool] | None = None) -> Span | None:
        """The first sentence that names ``name`` as a word of its own (not 'Oman' inside 'woman'); with
        ``fits``, the first that fits (a speaker is often named in full first and quoted later by surname)."""
        found = find_name(name, self.text)
        if found is None:
            return None
        first = self.sentence(found)
        if not mentions(self.text[first.start : first.end], name):
            return None
        if fits is None or fits(first):
            return first
        for sentence in self.sentences():
            if sentence.start > first.start and fits(sentence):
                return sentence
        return first

    def sentence(self, span: Span) -> Span:
        """The sentence around a located value, used as its evidence when the model's quote failed."""
        ends = self.sentence_ends
        index = bisect.bisect_right(ends, span.start)  # the first sentence end after the span's start
        start = ends[index - 1] if index > 0 else 0
        after = bisect.bisect_left(self.end_marks, span.end)
        end = self.end_marks[after] + 1 if after < len(self.end_marks) else len(self.text)
        while start < end and self.text[start].isspace():
            start += 1
        return Span(start=start, end=max(end, start), match="sentence", score=span.score)

    def sentence_after(self, span: Span) -> Span | None:
        after = bisect.bisect_left(self.sentence_ends, span.end)
        if after >= len(self.sentence_ends):
            return None
        at = self.sentence_ends[after]
        following = self.sentence(Span(start=at, end=at, match="exact", score=1.0))
        return following if following.end > following.start else None

    @functools.cached_property
    def end_marks(self) -> list[int]:
        """Where each sentence-ending mark is (the first character of a match of ``SENTENCE_END``)."""
        return [m.start() for m in SENTENCE_END.finditer(self.text)]

    @functools.cached_property
    def sentence_ends(self) -> list[int]:
        """Where the text after each sentence-ending mark starts (linear: found once per article)."""
        return [m.end() for m in SENTENCE_END.finditer(self.text)]

    def note(self, code: str, path: str, message: str) -> None:
        self.notes.append(Issue(code=code, path=path, message=message))

    def detail(self, path: str, item: Entry | None, field: str, what: str) -> Entry | None:
        """Null an optional detail of a kept item (damage place, speaker title) that its evidence does not state."""
        value = getattr(item, field, None)
        if item is None or not value or mentions(item.evidence, value):
            return item
        self.drop(f"{path}.{field}", f"{what} {value!r} is not in its evidence")
        return item.model_copy(update={field: None})

    def weapon(self, path: str, weapon: Weapon) -> Weapon | None:
        span = self.evidence(path, weapon.evidence)
        if span is None:
            return None
        name = weapon.name
        if name and not mentions(self.text[span.start : span.end], name):
            self.drop(f"{path}.name", f"weapon name {name!r} is not in its evidence")
            name = None
        return weapon.model_copy(
            update={
                "name": name,
                "launched": self.count(f"{path}.launched", weapon.launched),
                "intercepted": self.count(f"{path}.intercepted", weapon.intercepted),
            }
        )

    def casualties(self, casualties: Casualties | None) -> Casualties | None:
        if casualties is None:
            return None
        checked = {
            name: self.count(f"casualties.{name}", getattr(casualties, name)) for name in type(casualties).model_fields
        }
        return Casualties(**checked) if any(checked.values()) else None

    def when(self, window: TimeWindow | None) -> TimeWindow | None:
        """Dates must follow from the time words (resolved against the publication date), never be taken on trust."""
        if window is None:
            return None
        span = locate(window.evidence, self.text)
        phrase_span = locate(window.phrase, self.text)
        resolved = resolve(window.phrase, self.published) if phrase_span else None
        if resolved and phrase_span is not None and (span is None or not _inside(phrase_span, span)):
            span = self.sentence(phrase_span)
            window = self.repaired_when(window, span, f"evidence replaced by the sentence around {window.phrase!r}")
        if resolved is None and span is not None:
            resolved = resolve(self.text[span.start : span.end], self.published)
        if resolved is None and window.date_start:
            span, resolved = self.supporting_sentence(window) or (span, None)
            if resolved and span is not None:
                window = self.repaired_when(window, span, "evidence replaced by the sentence that dates the event")
                window = window.model_copy(update={"phrase": _original(window.evidence, resolved.phrase)})
        if span is None:
            self.drop("when", f"evidence not found in the article: {_clip(window.evidence)!r}")
            return None
        if resolved and self.spans_supported(window, resolved):
            pass  # a window longer than its phrase's day, whose other days the article gives: kept as given
        elif resolved:
            if (window.date_start, window.date_end) != (resolved.start, resolved.end):
                self.note(
                    "corrected",
                    "when",
                    f"dates {window.date_start}..{window.date_end} -> {resolved.start}..{resolved.end} "
                    f"({resolved.reason})",
                )
            window = window.model_copy(
                update={"date_start": resolved.start, "date_end": resolved.end, "precision": resolved.precision}
            )
        elif window.date_start or window.date_end:
            self.drop("when", f"no words in the article give the dates {window.date_start}..{window.date_end}")
            return None
        else:
            self.drop("when", f"{window.phrase!r} gives no date")
            return None
        if self.published and window.date_end and window.date_end > self.published + timedelta(days=1):
            self.drop("when", f"{window.date_end} is after the publication date {self.published}")
            return None
        self.accept("when", span)
        if window.time_of_day and not mentions(
            f"{self.text[span.start : span.end]} {window.phrase}", window.time_of_day
        ):
            self.drop("when.time_of_day", f"time of day {window.time_of_day!r} is not in its evidence")
            window = window.model_copy(update={"time_of_day": None})
        return window

    def spans_supported(self, window: TimeWindow, resolved: Window) -> bool:
        """Whether a model's window that reaches past its phrase's days is supported as given: it overlaps the
        phrase's window, and each of its ends is a day the time words of a sentence about the event give (not of
        one about a later step: an arrest, a hearing, a funeral)."""
        start, end = window.date_start, window.date_end
        if start is None or end is None or (start, end) == (resolved.start, resolved.end):
            return False
        if start > resolved.end or end < resolved.start:
            return False
        days = [(resolved.start, resolved.end), *self.sentence_windows]
        return all(any(low <= day <= high for low, high in days) for day in (start, end))

    @functools.cached_property
    def sentence_windows(self) -> list[tuple[date, date]]:
        """The window each sentence's time words give (resolved against the publication date), once."""
        texts = [self.text[s.start : s.end] for s in self.sentences()]
        windows = [resolve(text, self.published) for text in texts if not LATER_STEP.search(normalise(text))]
        return [(w.start, w.end) for w in windows if w is not None]

    def repaired_when(self, window: TimeWindow, span: Span, message: str) -> TimeWindow:
        quoted = self.text[span.start : span.end]
        self.note("repaired", "when", f"{message}: {_clip(quoted)!r}")
        return window.model_copy(update={"evidence": quoted})

    def supporting_sentence(self, window: TimeWindow) -> tuple[Span, Window] | None:
        """The first sentence whose time words resolve to a window that contains the model's start date."""
        for sentence in self.sentences():
            resolved = resolve(self.text[sentence.start : sentence.end], self.published)
            if resolved and window.date_start and resolved.start <= window.date_start <= resolved.end:
                return sentence, resolved
        return None

    @functools.cached_property
    def _sentences(self) -> list[Span]:
        spans, start = [], 0
        for match in SENTENCE_END.finditer(self.text):
            spans.append(self.sentence(Span(start=start, end=max(start, match.start()), match="exact", score=1.0)))
            start = match.end()
        if start < len(self.text):
            spans.append(self.sentence(Span(start=start, end=len(self.text), match="exact", score=1.0)))
        return [span for span in spans if span.end > span.start]

    def sentences(self) -> list[Span]:
        return self._sentences


def _original(text: str, folded_words: str) -> str:
    """The words in ``text`` whose normalised form is ``folded_words`` (for the record's phrase)."""
    span = locate(folded_words, text)
    return text[span.start : span.end] if span else folded_words


def ground_event(event: Event, text: str, published: date | None) -> Grounding:
    """Check every fact; return the event with ungrounded values removed and the spans of the rest."""
    check = _Checker(text, published)
    kept: dict[str, list[int]] = {}  # list name -> the model's indices that survived, in order

    def keep(name: str, checked: Callable[[str, Any], Any | None]) -> list[Any]:
        """The items that pass their check, each once (a small model repeats itself)."""
        survivors, seen = [], set()
        for index, item in enumerate(getattr(event, name)):
            path = f"{name}[{index}]"
            identity = _identity(item)
            if identity in seen:
                check.note("duplicate", path, "repeats an earlier item; removed")
                continue
            item = checked(path, item)
            if item is None:
                continue
            seen.add(identity)
            survivors.append((index, item))
        kept[name] = [index for index, _ in survivors]
        return [item for _, item in survivors]

    cleaned = event.model_copy(
        update={
            "when": check.when(event.when),
            "places": keep("places", lambda path, p: check.named(path, p, p.name, "place")),
            "actors": keep("actors", lambda path, a: check.named(path, a, a.name, "actor")),
            "weapons": keep("weapons", check.weapon),
            "casualties": check.casualties(event.casualties),
            "damage": keep(
                "damage",
                lambda path, d: check.detail(
                    path, check.named(path, d, d.what, "damage", cue=DAMAGE), "place", "place"
                ),
            ),
            "statements": keep(
                "statements",
                lambda path, s: check.detail(
                    path, check.named(path, s, s.speaker, "statement", cue=SPEECH), "title", "title"
                ),
            ),
            "context": keep("context", lambda path, c: c if check.evidence(path, c.evidence) else None),
        }
    )
    _check_free_text(check, event)
    Event.model_validate(cleaned.model_dump())  # removing values must never break an invariant
    return Grounding(
        event=cleaned,
        spans=_renumber(check.spans, kept),
        problems=check.problems,
        notes=check.notes,
        grounded=check.grounded,
    )


def _identity(item: BaseModel) -> str:
    """What makes two list items the same fact: their content without the quote, names compared as keys."""
    data = item.model_dump(mode="json", exclude={"evidence"})
    for key in ("name", "speaker"):
        if isinstance(data.get(key), str):
            data[key] = name_key(data[key])
    if isinstance(item, Place):
        data.pop("kind")  # one place named twice with different kinds is still one place
    return json.dumps(data, sort_keys=True, default=str)


def _check_free_text(check: _Checker, event: Event) -> None:
    """Title and summary are the model's own words; flag numbers in them the article never states."""
    article_numbers = numbers_in(check.text)
    for name in ("title", "summary"):
        unsupported = numbers_in(getattr(event, name)) - article_numbers
        if unsupported:
            check.notes.append(
                Issue(code="unsupported", path=name, message=f"{name} states {sorted(unsupported)}, not in the article")
            )


def _renumber(spans: dict[str, Span], kept: dict[str, list[int]]) -> dict[str, Span]:
    """Spans were keyed by the model's list positions; re-key them by the positions in the cleaned event."""
    result: dict[str, Span] = {}
    for path, span in spans.items():
        match = re.match(r"(\w+)\[(\d+)\](.*)", path)
        if not match:
            result[path] = span
        elif int(match.group(2)) in kept[match.group(1)]:
            new_index = kept[match.group(1)].index(int(match.group(2)))
            result[f"{match.group(1)}[{new_index}]{match.group(3)}"] = span
    return result


# A sentence ends at . ! ? before a space, quote or bracket (or at a line break), but not after a title or
# an initial ("Mr.", "Gen.", "U.S.", "J. Smith"), which would cut a repaired quote short.
ABBREVIATIONS = r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bGen)(?<!\bCol)(?<!\bLt)(?<!\bSt)(?<!\bNo)(?<!\b[A-Z])"
SENTENCE_END = re.compile(rf"{ABBREVIATIONS}[.!?](?=[\s\"'”’)]|$)|\n")

CHILD_WINDOW = 25  # characters either side of a children count's phrase
LATER_STEP = re.compile(
    r"\b(?:arrest|charg|arraign|sentenc|hearing|court|appear|plead|vigil|funeral|memorial|trial|convict|"
    r"indict|booked|custody|extradit|buried|burial)"
)
# A sentence that goes on about the people the one before it counted.
ANAPHOR = re.compile(
    r"[\"“']?(?:They|Both|All|Each|He|She|The (?:two|three|four|five|six|seven|eight|nine|ten|\d+|victims?|men|"
    r"women|injured|wounded|dead|pair|couple|others))\b"
)
UNIVERSAL_ZERO = re.compile(r"\b(?:no[\s-]one|nobody|no (?:deaths?|injur\w*|casualt\w*|fatalit\w*|lives))\b")


@dataclass(frozen=True)
class Cue:
    """Words a quote needs to be evidence of a kind of fact, and how to say it lacks them."""

    pattern: re.Pattern[str]
    says: str


SPEECH = Cue(SPEECH_WORDS, "reports speech")
# A sentence that goes on quoting the person the one before it names: a pronoun's speech verb, or a quotation.
PRONOUN_SPEECH = re.compile(r"\b(?:he|she|they)\s+(?:said|says|added|told|wrote)\b|\bsaid\s+(?:he|she)\b", re.I)
OPENING_QUOTE = re.compile(r"\s*[\"“]")
DAMAGE = Cue(DAMAGE_WORDS, "describes damage")


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


QUALIFIER_PATTERNS: list[tuple[Qualifier, re.Pattern[str]]] = [
    ("range", re.compile(r"\bbetween\b.+\band\b|\b\d+\s*(?:-|to)\s*\d+\b|\bfrom\b.+\bto\b")),
    ("at_least", re.compile(r"\b(at least|more than|over|no fewer than|upwards of|in excess of)\b")),
    ("at_most", re.compile(r"\b(at most|up to|fewer than|less than|no more than|under)\b")),
    ("about", re.compile(r"\b(about|around|approximately|roughly|nearly|almost|some|an estimated|close to)\b")),
]


_NUM = r"(?:\d[\d,]*|(?:a |an )?(?:" + "|".join([*UNITS, *TENS, "dozen", "hundred", "thousand"]) + r")\b)"
_UNIT = (  # a figure followed by one of these is a time, a distance or an amount, not the count's
    r"(?!\s*(?:days?|hours?|minutes?|weeks?|months?|years?|p\.?m|a\.?m|o'clock|percent|per cent|%|km|kilomet|"
    r"miles?|met(?:er|re)s?|feet|kg|tons?|dollars|euros|\$))"
)
_RANGE = (
    rf"\bbetween ({_NUM}).{{0,20}}? and ({_NUM}){_UNIT}|\b(\d+)\s*[-–]\s*(\d+)\b{_UNIT}|\b({_NUM}) to ({_NUM}){_UNIT}"
)
_ABOUT = r"about|around|approximately|roughly|nearly|almost|some|an estimated|close to"
EXPLICIT_QUALIFIERS: list[tuple[Qualifier, re.Pattern[str]]] = [
    ("range", re.compile(_RANGE)),
    ("at_least", re.compile(rf"\b(?:at least|more than|over|no fewer than|upwards of|in excess of) ({_NUM}){_UNIT}")),
    ("at_most", re.compile(rf"\b(?:at most|up to|fewer than|less than|no more than|under|as many as) ({_NUM}){_UNIT}")),
    ("about", re.compile(rf"\b(?:{_ABOUT}) ({_NUM}){_UNIT}")),
]


def explicit_qualifier(count: Count) -> Qualifier | None:
    """The qualifier a count's phrase states in words right before a figure ("at least 17", "up to 30",
    "about 40", "between 16 and 18") when it contradicts the count's: a model's qualifier is corrected only to
    that, never inferred from the absence of a digit ("both were destroyed" is exact), from a stray word ("over
    the region") or from ages ("ages 15 to 17"); a phrase with a floor and a ceiling ("at least one and as many
    as three") supports a range."""
    folded = without_ages(normalise(count.phrase))
    figures = {n for n in (count.value, count.low, count.high) if n is not None}
    stated = {
        qualifier
        for qualifier, pattern in EXPLICIT_QUALIFIERS
        for match in pattern.finditer(folded)
        if not figures or figures & numbers_in(" ".join(g for g in match.groups() if g))
    }
    if {"at_least", "at_most"} <= stated:
        stated.add("range")
    if not stated or count.qualifier in stated:
        return None
    return next(q for q, _ in EXPLICIT_QUALIFIERS if q in stated) if len(stated) == 1 else None


def infer_qualifier(phrase: str) -> Qualifier | None:
    """The qualifier a count phrase states, when its wording makes it unambiguous."""
    folded = normalise(phrase)
    for qualifier, pattern in QUALIFIER_PATTERNS:
        if pattern.search(folded):
            return qualifier
    if not numbers_in(folded):
        return "vague"
    return None


def _with_qualifier(count: Count, qualifier: Qualifier) -> Count:
    data = count.model_dump() | {"qualifier": qualifier}
    if qualifier == "vague":
        data.update(value=None, low=None, high=None)
    return Count.model_validate(data)


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
