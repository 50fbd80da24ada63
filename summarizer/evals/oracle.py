"""The oracle: a model that answers every fixture with its own labels, for measuring the pipeline itself.

Each label becomes the value a perfect model would give, with evidence copied verbatim from the article:
the sentence that holds the label's evidence phrase (counts, time) or the first sentence that names the
item (places, actors, damage, statements). Scored before the pipeline, the oracle's answers are right on
every field; whatever the pipeline loses from them (grounding refusing a supported value, the reader
overriding a right one) is the pipeline's own loss. A label for which no verbatim evidence exists is a
fixture bug, reported as such.

With a noise seed the answers are perturbed the ways real models err: a count off by a few or swapped
for another figure of its sentence, a place swapped for another place the article names, an invented
speaker, a wrong event type. What the pipeline then removes or flags is what it catches.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from summarizer.config.capabilities import BackendInfo, register_backend
from summarizer.errors import BackendError
from summarizer.evals.fixtures import Case, CountLabel, ItemLabel
from summarizer.ground.locate import locate
from summarizer.model.prompts import as_data
from summarizer.reader.nlp import parse
from summarizer.record.schema import EVENT_TYPES, MAX_PHRASE_CHARS, Event
from summarizer.text.normalize import name_key, numbers_in

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

ORACLE_MODEL = "labels"
FINGERPRINT_CHARS = 1500  # how much of an article identifies it inside a request
# A sentence ends at . ! ? before white space and a capital, digit or quote, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])|\n+")
_WEAPON_WORDS = {
    "missile": "missile",
    "ballistic_missile": "missile",
    "cruise_missile": "missile",
    "drone": "drone",
    "artillery": "shell",
    "rocket": "rocket",
    "aircraft_bomb": "bomb",
    "explosive": "bomb|explosive|device",
    "firearm": "gun|rifle|pistol|shot|fire",
}
INVENTED_SPEAKERS = ("Daniel Kowalski", "Maria Jensen", "Colonel Peter Haskins")


@dataclass
class OracleAnswer:
    """The tool-call arguments for one case, what could not be given evidence, and what noise changed."""

    arguments: dict[str, Any]
    fixture_problems: list[str] = field(default_factory=list)
    perturbations: list[dict[str, Any]] = field(default_factory=list)


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans: enough to quote a verbatim sentence around a phrase."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _sentence_at(text: str, start: int, end: int) -> str:
    for s, e in sentences(text):
        if s <= start < e:
            return text[s : max(e, min(end, len(text)))].strip()[:600]
    return text[start:end]


def _quote(text: str, phrase: str) -> tuple[str, str] | None:
    """The sentence holding ``phrase`` and the phrase as the article writes it."""
    span = locate(phrase, text)
    if span is None:
        return None
    return _sentence_at(text, span.start, span.end), text[span.start : span.end]


def _named(text: str, aliases: tuple[str, ...], prefer: re.Pattern[str] | None = None) -> tuple[str, str] | None:
    """The first alias the article writes as a word (its own spelling), with a sentence that names it."""
    for alias in aliases:
        pattern = re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", re.IGNORECASE)
        matches = list(pattern.finditer(text))
        if not matches:
            continue
        chosen = matches[0]
        if prefer is not None:
            chosen = next((m for m in matches if prefer.search(_sentence_at(text, m.start(), m.end()))), chosen)
        return text[chosen.start() : chosen.end()], _sentence_at(text, chosen.start(), chosen.end())
    return None


_SPEECH = re.compile(r"\b(said|says|told|stated|wrote|writing|announced|according|added|posted)\b|[\"“]")


def _qualifier(label: CountLabel) -> str:
    if label.qualifier:
        return label.qualifier
    if label.vague:
        return "vague"
    if label.value is not None:
        return "exact"
    if label.min is not None and label.max is not None:
        return "range"
    return "at_least" if label.min is not None else "at_most"


def _count(case: Case, path: str, problems: list[str]) -> dict[str, Any] | None:
    label = case.labels.get(path)
    if not isinstance(label, CountLabel):
        return None
    phrase = case.evidence.get(path)
    found = _quote(case.article.text, phrase) if phrase else None
    if found is None:
        problems.append(f"{path}: no evidence phrase found in the article ({phrase!r})")
        return None
    sentence, words = found
    return {
        "evidence": sentence,
        "phrase": words[:MAX_PHRASE_CHARS],
        "value": label.value,
        "low": label.min,
        "high": label.max,
        "qualifier": _qualifier(label),
    }


def _items(case: Case, path: str, key: str, problems: list[str], **extra: Any) -> list[dict[str, Any]]:
    items = []
    for index, label in enumerate(case.labels.get(path) or []):
        assert isinstance(label, ItemLabel)
        found = _named(case.article.text, label.aliases, _SPEECH if path == "statements" else None)
        if found is None:
            problems.append(f"{path}[{index}]: no alias of {label.aliases[0]!r} is in the article")
            continue
        name, sentence = found
        item: dict[str, Any] = {key: name, "evidence": sentence}
        if path == "places":
            item["kind"] = label.attr[0] if label.attr else "other"
        elif path == "actors":
            item["role"] = label.attr[0] if label.attr else "other"
        elif path == "statements":
            item["gist"] = sentence[:280]
        items.append({**item, **extra})
    return items


def _weapons(case: Case, problems: list[str]) -> list[dict[str, Any]]:
    kinds = [options[0] for options in case.labels.get("weapons.kinds") or []]
    launched = _count(case, "weapons.launched", problems)
    intercepted = _count(case, "weapons.intercepted", problems)
    if not kinds and (launched or intercepted):
        kinds = ["other"]
    text = case.article.text
    weapons = []
    for index, kind in enumerate(kinds):
        counted = index == 0 and (launched or intercepted)
        evidence = (launched or intercepted or {}).get("evidence") if counted else None
        if evidence is None:
            word = re.search(rf"\b({_WEAPON_WORDS.get(kind, kind)})", text, re.IGNORECASE)
            evidence = _sentence_at(text, word.start(), word.end()) if word else sentences(text)[0]
            evidence = evidence if isinstance(evidence, str) else text[evidence[0] : evidence[1]]
        weapon: dict[str, Any] = {"evidence": evidence, "kind": kind}
        if index == 0:
            weapon.update(launched=launched, intercepted=intercepted)
        weapons.append(weapon)
    return weapons


def oracle_answer(case: Case) -> OracleAnswer:
    """The labels of ``case`` as a perfect model's tool-call arguments."""
    problems: list[str] = []
    labels = case.labels
    when = None
    window = labels.get("when")
    if window is not None:
        phrase = case.evidence.get("when")
        found = _quote(case.article.text, phrase) if phrase else None
        if found is None:
            problems.append(f"when: no evidence phrase found in the article ({phrase!r})")
        else:
            when = {
                "evidence": found[0],
                "phrase": found[1][:MAX_PHRASE_CHARS],
                "date_start": window.start.isoformat(),
                "date_end": window.end.isoformat(),
                "precision": "day" if window.start == window.end else "days",
            }
    casualties = {name: _count(case, f"casualties.{name}", problems) for name in _CASUALTIES}
    title = labels.get("title") or "Event"
    arguments = {
        "event_type": labels.get("event_type") or "other",
        "title": title,
        "summary": labels.get("summary") or title,
        "when": when,
        "places": _items(case, "places", "name", problems),
        "actors": _items(case, "actors", "name", problems),
        "weapons": _weapons(case, problems),
        "casualties": casualties if any(casualties.values()) else None,
        "damage": _items(case, "damage", "what", problems),
        "statements": _items(case, "statements", "speaker", problems),
        "context": [],
    }
    return OracleAnswer(arguments, problems)


_CASUALTIES = ("killed", "injured", "children_killed", "children_injured")


# ---------------------------------------------------------------- noise


def noisy_answer(case: Case, seed: int, other_places: list[str]) -> OracleAnswer:
    """The oracle's answer with the errors real models make, chosen by ``seed`` (the same seed, the same errors).

    ``other_places`` are places the article names that the labels do not (the candidates of a swap).
    """
    answer = oracle_answer(case)
    rng = random.Random(f"{seed}:{case.name}")
    args = answer.arguments
    changes = answer.perturbations
    for name in _CASUALTIES:
        count = (args.get("casualties") or {}).get(name)
        if count and count.get("value") is not None and rng.random() < 0.5:
            _perturb_count(args, count, rng, f"casualties.{name}", changes)
    for index, weapon in enumerate(args["weapons"]):
        for name in ("launched", "intercepted"):
            count = weapon.get(name)
            if count and count.get("value") is not None and rng.random() < 0.5:
                _perturb_count(args, count, rng, f"weapons[{index}].{name}", changes)
    if args["places"] and other_places and rng.random() < 0.6:
        index = rng.randrange(len(args["places"]))
        swapped = rng.choice(other_places)
        place = args["places"][index]
        found = _named(case.article.text, (swapped,))
        if found is not None:
            changes.append({"path": f"places[{index}]", "kind": "place_swapped", "was": place["name"], "now": found[0]})
            place.update(name=found[0], evidence=found[1])
    if rng.random() < 0.5 and len(args["statements"]) < 4:
        speaker = rng.choice(INVENTED_SPEAKERS)
        evidence = args["statements"][0]["evidence"] if args["statements"] else sentences(case.article.text)[0]
        evidence = evidence if isinstance(evidence, str) else case.article.text[evidence[0] : evidence[1]]
        args["statements"].append({"evidence": evidence, "speaker": speaker, "title": None, "gist": "gave details"})
        changes.append({"path": f"statements[{len(args['statements']) - 1}]", "kind": "speaker_invented"})
    if rng.random() < 0.25:
        wrong = rng.choice([t for t in EVENT_TYPES if t != args["event_type"]])
        changes.append({"path": "event_type", "kind": "type_wrong", "was": args["event_type"], "now": wrong})
        args["event_type"] = wrong
    return answer


def _perturb_count(
    args: dict[str, Any], count: dict[str, Any], rng: random.Random, path: str, changes: list[dict[str, Any]]
) -> None:
    """A figure off by a few, or another figure of the same sentence (a real model's two commonest errors),
    kept only when the answer still fits the schema (a children count above its total is another error)."""
    value = count["value"]
    others = sorted(numbers_in(count["evidence"]) - {value})
    if others and rng.random() < 0.5:
        new, kind = rng.choice(others), "count_swapped"
    else:
        new, kind = max(0, value + rng.choice([-3, -2, -1, 1, 2, 3])), "count_off"
        if new == value:
            new = value + 1
    before = dict(count)
    count.update(value=new, low=None, high=None, qualifier="exact")
    try:
        Event.model_validate(args)
    except ValueError:
        count.clear()
        count.update(before)
        return
    changes.append({"path": path, "kind": kind, "was": value, "now": new})


# ---------------------------------------------------------------- the backend


# nothing is truncated: the oracle reads any length
ORACLE = register_backend(BackendInfo("oracle", "each fixture's oracle answer", context_chars=1_000_000))


class OracleBackend:
    """A chat backend that answers each fixture's article with its oracle answer, as a forced tool call.

    It finds the case by its article text inside the request (the article is shown as data), so the
    summarize pipeline runs unchanged: prompt, tool call, parsing, grounding, re-asks, combine.
    """

    name = ORACLE.name

    def __init__(self, answers: dict[str, OracleAnswer], texts: dict[str, str], model: str = ORACLE_MODEL) -> None:
        self.model = model
        self.answers = answers
        self._fingerprints = {name: as_data(text[:FINGERPRINT_CHARS]) for name, text in texts.items()}

    @classmethod
    def for_cases(cls, cases: list[Case], noise: int | None = None) -> OracleBackend:
        answers = {}
        for case in cases:
            if noise is None:
                answers[case.name] = oracle_answer(case)
            else:
                answers[case.name] = noisy_answer(case, noise, other_places(case))
        model = ORACLE_MODEL if noise is None else f"{ORACLE_MODEL}+noise{noise}"
        return cls(answers, {case.name: case.article.text for case in cases}, model)

    def case_of(self, request: dict[str, Any]) -> str | None:
        shown = "\n".join(str(m.get("content") or "") for m in request.get("messages", []) if m.get("role") == "user")
        matches = [name for name, print_ in self._fingerprints.items() if print_ in shown]
        return max(matches, key=lambda name: len(self._fingerprints[name]), default=None)

    def complete(self, **request: Any) -> ChatCompletion:
        from openai.types.chat import ChatCompletion

        name = self.case_of(request)
        if name is None:
            raise BackendError("the oracle knows no fixture whose article is in this request")
        import json

        tool = request["tools"][0]["function"]["name"]
        arguments = json.dumps(self.answers[name].arguments)
        call = {"id": "call-oracle", "type": "function", "function": {"name": tool, "arguments": arguments}}
        return ChatCompletion.model_validate(
            {
                "id": "chatcmpl-oracle",
                "object": "chat.completion",
                "created": 0,
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "tool_calls",
                        "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                    }
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            }
        )


def other_places(case: Case) -> list[str]:
    """Places the article names (spaCy's GPE / LOC / FAC entities) that no place label names: what a model
    that confuses places would put instead."""
    labelled = {name_key(alias) for item in case.labels.get("places") or [] for alias in item.aliases}
    doc = parse(case.article.text)
    seen: dict[str, None] = {}
    for entity in doc.ents:
        if entity.label_ in ("GPE", "LOC", "FAC") and name_key(entity.text) not in labelled:
            seen.setdefault(entity.text, None)
    return list(seen)
