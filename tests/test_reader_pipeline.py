"""The reader in the pipeline: it fills what the model left empty, cross-checks what it said, and every field
says where it came from; --strategy reader makes no model call at all."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from answers_kit import drone_answer
from click.testing import CliRunner
from fake_backend import QueuedBackend

from summarizer.cli.root import cli
from summarizer.combine.trust import FieldTrust, TrustProfile
from summarizer.config.settings import Settings
from summarizer.ingest.article import Article
from summarizer.ingest.articles import load_article
from summarizer.pipeline import Summarizer
from summarizer.record import Record

TEXT = (
    "ODESA, Ukraine (Reuters) - Russia launched 12 drones at Odesa overnight, the regional governor said. "
    "Air defences shot down 10 of them. At least 3 people were injured, including a child."
)
ARTICLE = Article(id="odesa", text=TEXT, source="odesa.txt", published=date(2024, 5, 2))
SEED = Path(__file__).resolve().parent.parent / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt"


def sparse_answer(**changes: Any) -> dict[str, Any]:
    """What the bundled model typically gives: a type, a title, a summary and little else."""
    answer = drone_answer(leave_out=("when", "casualties"))
    answer.update(changes)
    return answer


def summarize(tmp_path: Path, answer: dict[str, Any], strategy: str = "both") -> tuple[Record, QueuedBackend]:
    backend = QueuedBackend([answer] * 3)
    settings = Settings.from_env({}, home=tmp_path / "home", strategy=strategy, max_retries=0)
    return Summarizer(settings, backend=backend).summarize(ARTICLE), backend


def test_the_reader_fills_what_the_model_left_empty(tmp_path: Path) -> None:
    record, backend = summarize(tmp_path, sparse_answer())
    assert backend.calls == 1
    casualties = record.event.casualties
    assert casualties is not None and casualties.injured is not None and casualties.injured.low == 3
    assert casualties.children_injured is not None and casualties.children_injured.value == 1
    assert record.sources["casualties.injured"] == "reader"
    assert record.sources["places[0]"] == "both"  # the model named Odesa, and so does the dateline
    assert record.sources["event_type"] == "both"
    weapon = record.event.weapons[0]
    assert weapon.launched is not None and weapon.launched.value == 12
    assert weapon.intercepted is not None and weapon.intercepted.value == 10
    span = record.spans["casualties.injured"]
    assert span.match == "reader" and "At least 3 people were injured" in TEXT[span.start : span.end]
    assert record.provenance.strategy == "both" and record.provenance.reader is not None


def test_a_model_count_grounding_refuses_is_filled_by_the_reader(tmp_path: Path) -> None:
    wrong = {
        "evidence": "Air defences shot down 10 of them",
        "phrase": "10",
        "value": 10,
        "qualifier": "exact",
    }
    record, _ = summarize(tmp_path, sparse_answer(casualties={"injured": wrong}))
    injured = record.event.casualties.injured  # type: ignore[union-attr]
    # grounding already refuses the model's 10 (that sentence does not speak of injuries), so the reader fills it
    assert injured is not None and injured.low == 3 and record.sources["casualties.injured"] == "reader"


def test_agreement_is_marked_both(tmp_path: Path) -> None:
    same = {
        "evidence": "At least 3 people were injured",
        "phrase": "At least 3",
        "value": 3,
        "low": 3,
        "qualifier": "at_least",
    }
    record, _ = summarize(tmp_path, sparse_answer(casualties={"injured": same}))
    assert record.sources["casualties.injured"] == "both"
    assert not [w for w in record.warnings if w.code == "disagreement"]


def test_a_grounded_model_value_that_the_reader_contradicts_is_reported(tmp_path: Path) -> None:
    from summarizer.combine.choose import combine
    from summarizer.reader import read
    from summarizer.record.schema import Casualties, Count, Event

    reading = read(TEXT, ARTICLE.published)
    model = Event(
        event_type="drone_strike",
        title="t",
        summary="s",
        casualties=Casualties(
            injured=Count(evidence="At least 3 people were injured", phrase="3", value=4, qualifier="exact")
        ),
    )
    # the default profile: the model leads, the reader's other value is kept in a warning with its evidence
    combined = combine(model, {}, reading)
    assert combined.event.casualties.injured.value == 4  # type: ignore[union-attr]
    assert combined.sources["casualties.injured"] == "model"
    (warning,) = [w for w in combined.warnings if w.path == "casualties.injured"]
    assert warning.code == "disagreement" and "3" in warning.message and "reader" in warning.message
    # a profile in which the reader measured more precise on injuries: the reader's value wins, the model's is kept
    reader_leads = TrustProfile("measured", {"casualties.injured": FieldTrust("reader", fills=False, joins=False)})
    combined = combine(model, {}, reading, reader_leads)
    assert combined.event.casualties.injured.low == 3  # type: ignore[union-attr]
    assert combined.sources["casualties.injured"] == "reader"
    (warning,) = [w for w in combined.warnings if w.path == "casualties.injured"]
    assert warning.code == "disagreement" and "4" in warning.message and "model" in warning.message


def test_a_model_event_type_no_word_supports_is_flagged_and_replaced_only_where_the_reader_leads() -> None:
    """The bundled model calls nearly every article a drone strike; a council vote with no drone in it is 'other'.
    The default profile keeps the model's type (the reader's vocabulary is not the article's: "a bus plunged into
    a gorge" is a road crash with none of its words) and flags it; a profile where the reader leads replaces it."""
    from summarizer.combine.choose import combine
    from summarizer.reader import read
    from summarizer.record.schema import Event

    vote = "The council voted 7-2 on Tuesday to approve the budget, the mayor said. Taxes will rise by 3 percent."
    reading = read(vote, date(2024, 6, 19))
    assert reading.event.event_type == "other"
    drone = Event(event_type="drone_strike", title="t", summary="s")
    combined = combine(drone, {}, reading)
    assert combined.event.event_type == "drone_strike" and combined.sources["event_type"] == "model"
    assert any("no word of the reader's vocabulary" in w.message for w in combined.warnings if w.path == "event_type")
    reader_leads = TrustProfile("measured", {"event_type": FieldTrust("reader", fills=False, joins=False)})
    combined = combine(drone, {}, reading, reader_leads)
    assert combined.event.event_type == "other" and combined.sources["event_type"] == "reader"
    # a type the article does speak of, where the reader finds nothing sure, stands without a warning
    drones = read(
        "Three people were hurt in the town on Tuesday, the mayor said. Police are investigating. "
        "Witnesses said they heard a drone.",
        date(2024, 6, 19),
    )
    assert drones.event.event_type == "other"  # one mention, outside the lead: too little for the reader
    kept = combine(drone, {}, drones)
    assert kept.event.event_type == "drone_strike" and kept.sources["event_type"] == "model"
    assert not any("vocabulary" in w.message for w in kept.warnings)


def test_model_strategy_is_the_model_alone(tmp_path: Path) -> None:
    record, _ = summarize(tmp_path, sparse_answer(), strategy="model")
    assert record.event.casualties is None and record.provenance.reader is None
    assert set(record.sources.values()) == {"model"}


def test_reader_strategy_cli_makes_no_model_call(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_model(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the reader strategy must not create a model backend")

    monkeypatch.setattr("summarizer.pipeline.create_backend", no_model)
    result = CliRunner().invoke(cli, ["summarize", "--strategy", "reader", "--format", "json", str(SEED)])
    assert result.exit_code == 0, result.output
    record = Record.model_validate(json.loads(result.stdout))
    assert record.provenance.strategy == "reader" and record.provenance.attempts == 0
    assert set(record.sources.values()) == {"reader"}
    assert record.event.places[0].name == "Kyiv"
    text = load_article(SEED).text
    injured = record.event.casualties.injured  # type: ignore[union-attr]
    assert injured is not None and injured.phrase in text[record.spans["casualties.injured"].start :]
    for path, span in record.spans.items():
        quoted = text[span.start : span.end]
        assert quoted.strip() and quoted in text, path
    assert (
        record.event.when is not None
        and record.event.when.evidence.strip() == text[record.spans["when"].start : record.spans["when"].end].strip()
    )


def test_an_unusable_model_answer_leaves_the_reader_record(tmp_path: Path) -> None:
    backend = QueuedBackend(["this is not JSON"] * 3)
    settings = Settings.from_env({}, home=tmp_path / "home", strategy="both", max_retries=0)
    record = Summarizer(settings, backend=backend).summarize(ARTICLE)
    assert record.warnings[0].code == "model_failed"
    assert record.provenance.strategy == "both" and set(record.sources.values()) == {"reader"}
    assert record.event.casualties is not None and record.event.casualties.injured is not None
