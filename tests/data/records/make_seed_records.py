"""Write the hand-made records of the two seed articles (seed_000.json, seed_001.json).

Hand-written events, as a careful extractor would fill them, with every evidence quote copied
verbatim from the article; the spans are computed here from the loaded article text (never
typed by hand), and the script refuses to write a quote it cannot find. Run from the repo root:

    .venv/bin/python tests/data/records/make_seed_records.py [SEEDS_DIR]

SEEDS_DIR defaults to ../shared/seeds. The lead may replace these files with real model output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from summarizer.ingest.articles import load_article
from summarizer.record import Record, Span, unmodelled_provenance
from summarizer.record.schema import Event

HERE = Path(__file__).parent

SEED_000 = {
    "event_type": "missile_or_air_strike",
    "title": "Russian missile attack on Kyiv: 31 missiles intercepted, at least 17 injured by debris",
    "summary": (
        "Overnight on 21 March 2024 Russia launched 31 missiles at Kyiv, all intercepted by Ukraine's air "
        "defences. Falling debris injured at least 17 people, including a child, and caused fires and damage "
        "in several districts."
    ),
    "when": {
        "evidence": "In a stark overnight operation",
        "phrase": "overnight",
        "date_start": "2024-03-21",
        "date_end": "2024-03-21",
        "precision": "part_of_day",
        "time_of_day": "overnight",
    },
    "places": [
        {"evidence": "intercepted 31 missiles launched by Russia at Kyiv", "name": "Kyiv", "kind": "city"},
        {"evidence": "including Podilsky, Shevchenkivskyi, and Sviatoshyn", "name": "Podilsky", "kind": "district"},
        {
            "evidence": "including Podilsky, Shevchenkivskyi, and Sviatoshyn",
            "name": "Shevchenkivskyi",
            "kind": "district",
        },
        {"evidence": "including Podilsky, Shevchenkivskyi, and Sviatoshyn", "name": "Sviatoshyn", "kind": "district"},
        {
            "evidence": "a significant crater in Lukyanivka, a residential district",
            "name": "Lukyanivka",
            "kind": "district",
        },
    ],
    "actors": [
        {"evidence": "intercepted 31 missiles launched by Russia at Kyiv", "name": "Russia", "role": "attacker"},
        {
            "evidence": "Ukraine's air defense forces intercepted 31 missiles",
            "name": "Ukraine's air defense forces",
            "role": "defender",
        },
    ],
    "weapons": [
        {
            "evidence": "Ukraine's air defense forces intercepted 31 missiles launched by Russia at Kyiv",
            "kind": "missile",
            "launched": {
                "evidence": "intercepted 31 missiles launched by Russia at Kyiv",
                "phrase": "31 missiles launched",
                "value": 31,
                "qualifier": "exact",
            },
            "intercepted": {
                "evidence": "Ukraine's air defense forces intercepted 31 missiles",
                "phrase": "intercepted 31 missiles",
                "value": 31,
                "qualifier": "exact",
            },
        },
        {
            "evidence": "The initial alarms warned of a ballistic missile threat at 03:00 local time",
            "kind": "ballistic_missile",
        },
    ],
    "casualties": {
        "injured": {
            "evidence": "resulted in at least 17 injuries due to falling debris, including a child",
            "phrase": "at least 17",
            "value": 17,
            "low": 17,
            "qualifier": "at_least",
        },
        "children_injured": {
            "evidence": "resulted in at least 17 injuries due to falling debris, including a child",
            "phrase": "including a child",
            "value": 1,
            "qualifier": "exact",
        },
    },
    "damage": [
        {"evidence": "Among the damaged were a power transformer", "what": "power transformer"},
        {
            "evidence": "Among the damaged were a power transformer, multiple residential buildings, and vehicles",
            "what": "residential buildings",
        },
        {
            "evidence": "Among the damaged were a power transformer, multiple residential buildings, and vehicles",
            "what": "vehicles",
        },
        {
            "evidence": "the aftermath left a significant crater in Lukyanivka",
            "what": "crater",
            "place": "Lukyanivka",
        },
        {"evidence": "widespread window damage and building destruction", "what": "windows"},
    ],
    "statements": [
        {
            "evidence": "prompted urgent calls from President Volodymyr Zelensky for enhanced military support "
            "from Western allies",
            "speaker": "Volodymyr Zelensky",
            "title": "President",
            "gist": "Called on Western allies for more military support.",
        },
        {
            "evidence": "as detailed by the head of the city's military administration, Serhiy Popko, on Telegram",
            "speaker": "Serhiy Popko",
            "title": "head of the city's military administration",
            "gist": "Reported damage to a power transformer, residential buildings and vehicles.",
        },
    ],
    "context": [
        {
            "evidence": "The assault, which occurred after Moscow's vow for retaliation against Ukrainian strikes",
            "note": "The attack followed Moscow's vow to retaliate for Ukrainian strikes.",
        },
        {
            "evidence": "a recent visit by White House National Security Advisor Jake Sullivan, who reaffirmed "
            "U.S. support for Ukraine",
            "note": "US National Security Advisor Jake Sullivan had recently visited and reaffirmed US support.",
        },
    ],
}

SEED_001 = {
    "event_type": "missile_or_air_strike",
    "title": "Pre-dawn missile barrage on Kyiv injures at least 13",
    "summary": (
        "Before dawn on 21 March 2024 Kyiv was hit by a barrage of ballistic and cruise missiles, the city's "
        "first major attack in over a month. Air defences intercepted a considerable number of them; falling "
        "debris injured at least 13 people, including a child, and damaged property."
    ),
    "when": {
        "evidence": "Kyiv was subjected to a pre-dawn missile barrage",
        "phrase": "pre-dawn",
        "date_start": "2024-03-21",
        "date_end": "2024-03-21",
        "precision": "part_of_day",
        "time_of_day": "pre-dawn",
    },
    "places": [
        {"evidence": "Kyiv was subjected to a pre-dawn missile barrage", "name": "Kyiv", "kind": "city"},
    ],
    "actors": [
        {
            "evidence": "Ukraine's air defenses against Russian aggression",
            "name": "Russia",
            "role": "attacker",
        },
        {
            "evidence": "Ukrainian air defenses showcased their capability",
            "name": "Ukrainian air defenses",
            "role": "defender",
        },
    ],
    "weapons": [
        {
            "evidence": "the attack consisted of both ballistic and cruise missiles",
            "kind": "ballistic_missile",
        },
        {
            "evidence": "the attack consisted of both ballistic and cruise missiles",
            "kind": "cruise_missile",
        },
        {
            "evidence": "intercepting a considerable number of incoming missiles",
            "kind": "missile",
            "intercepted": {
                "evidence": "intercepting a considerable number of incoming missiles",
                "phrase": "a considerable number",
                "qualifier": "vague",
            },
        },
    ],
    "casualties": {
        "injured": {
            "evidence": "with falling debris causing injuries to at least 13 individuals, including a child",
            "phrase": "at least 13",
            "value": 13,
            "low": 13,
            "qualifier": "at_least",
        },
        "children_injured": {
            "evidence": "causing injuries to at least 13 individuals, including a child",
            "phrase": "including a child",
            "value": 1,
            "qualifier": "exact",
        },
    },
    "damage": [
        {
            "evidence": "the debris from the destroyed missiles caused injuries and property damage across the capital",
            "what": "property",
            "place": "across the capital",
        },
    ],
    "statements": [
        {
            "evidence": "Ukrainian President Volodymyr Zelenskyy's calls for more advanced air defense systems",
            "speaker": "Volodymyr Zelenskyy",
            "title": "Ukrainian President",
            "gist": "Called for more advanced air defense systems.",
        },
        {
            "evidence": "The Ukrainian air force reported that the attack consisted of both ballistic and cruise "
            "missiles",
            "speaker": "Ukrainian air force",
            "title": None,
            "gist": "The attack consisted of both ballistic and cruise missiles.",
        },
    ],
    "context": [
        {
            "evidence": "marking the city's first major attack in over a month",
            "note": "It was the city's first major attack in over a month.",
        },
    ],
}


def evidence_paths(event: Event) -> dict[str, str]:
    """Field path -> evidence quote, for every evidence-bearing value of the event."""
    paths: dict[str, str] = {}
    if event.when:
        paths["when"] = event.when.evidence
    for field in ("places", "actors", "weapons", "damage", "statements", "context"):
        for index, item in enumerate(getattr(event, field)):
            paths[f"{field}[{index}]"] = item.evidence
            for measure in ("launched", "intercepted"):
                count = getattr(item, measure, None)
                if count is not None:
                    paths[f"{field}[{index}].{measure}"] = count.evidence
    if event.casualties:
        for name in ("killed", "injured", "children_killed", "children_injured"):
            count = getattr(event.casualties, name)
            if count is not None:
                paths[f"casualties.{name}"] = count.evidence
    return paths


def build(article_path: Path, source: str, data: dict) -> Record:
    article = load_article(article_path)
    event = Event.model_validate(data)
    spans = {}
    for path, quote in evidence_paths(event).items():
        start = article.text.find(quote)
        if start < 0:
            raise SystemExit(f"{article_path}: quote for {path} not in the article: {quote!r}")
        spans[path] = Span(start=start, end=start + len(quote), match="exact", score=1.0)
    meta = article.meta().model_copy(update={"source": source})
    provenance = unmodelled_provenance("hand-written test record", created_at="2024-03-21T12:00:00+00:00")
    return Record(article=meta, event=event, spans=spans, provenance=provenance)


def main() -> None:
    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds")
    for stem, data, out in (
        ("000_ede6e3fe3861d4f9", SEED_000, "seed_000.json"),
        ("001_0e7e195f43298f1b", SEED_001, "seed_001.json"),
    ):
        record = build(seeds / f"{stem}.txt", f"../shared/seeds/{stem}.txt", data)
        (HERE / out).write_text(record.model_dump_json(indent=2, exclude_none=False) + "\n", encoding="utf-8")
        print(f"wrote {HERE / out}: {len(record.spans)} spans")


if __name__ == "__main__":
    main()
