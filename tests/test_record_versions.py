"""Record and merged-event versions are checked on read: an older record this release can read loads, one
from another release is refused with a message that says which versions are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.merge.loading import parse_object
from summarizer.record import RECORD_VERSION, Record

SEED = Path(__file__).parent / "data" / "records" / "seed_001.json"


def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def test_the_current_version_loads() -> None:
    data = {**seed(), "record_version": RECORD_VERSION}
    assert isinstance(parse_object(data), Record)
    assert Record.model_validate(data).record_version == RECORD_VERSION


def test_a_version_1_record_loads_with_defaults_for_what_2_added() -> None:
    old = seed()
    assert old["record_version"] == "1"  # the seed records were written by release 1
    old.pop("sources", None)
    for key in ("strategy", "reader"):
        old["provenance"].pop(key, None)
    record = parse_object(old)
    assert isinstance(record, Record) and record.sources == {}


@pytest.mark.parametrize("version", ["3", "0", "2.1"])
def test_a_record_from_another_release_is_refused_clearly(version: str) -> None:
    data = seed()
    data["record_version"] = version
    with pytest.raises(ValueError, match=rf"record version '{version}' is not one this summarizer reads \(1, 2\)"):
        parse_object(data)


def test_a_merged_event_from_another_release_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match=r"merged event version '9' is not one this summarizer reads \(1\)"):
        parse_object({"kind": "merged_event", "merged_version": "9"})
