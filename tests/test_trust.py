"""Trust profiles: measured per field from the eval, saved, found for a setup, refused when stale, and used."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli.root import cli
from summarizer.combine.trust import FieldTrust, Measured, TrustProfile, load_profile
from summarizer.config.settings import Settings
from summarizer.errors import ConfigError
from summarizer.model.extract import event_tool
from summarizer.pipeline import Summarizer, profile_code_version

ROOT = Path(__file__).resolve().parents[1]
CASUALTIES = ("casualties.killed", "casualties.injured", "casualties.children_killed", "casualties.children_injured")
FIXTURES = ROOT / "evals" / "fixtures"


def test_the_more_precise_source_leads_and_the_other_fills_only_where_its_gap_values_were_right() -> None:
    model = Measured(correct=90, emitted=100, gap_correct=2, gap_emitted=20)
    reader = Measured(correct=60, emitted=100, gap_correct=1, gap_emitted=30)
    trust = FieldTrust.measured(model, reader)
    assert trust.leader == "model" and not trust.fills  # a capable model's empty field: the reader's are wrong
    small_model = Measured(correct=10, emitted=100, gap_correct=1, gap_emitted=20)
    trust = FieldTrust.measured(small_model, Measured(correct=60, emitted=100, gap_correct=50, gap_emitted=70))
    assert trust.leader == "reader" and trust.uses("reader") and not trust.uses("model")
    # two right values out of two do not outrank 90 of 100: precision is smoothed
    assert FieldTrust.measured(Measured(correct=90, emitted=100), Measured(correct=2, emitted=2)).leader == "model"


def test_a_model_whose_values_never_reach_a_record_is_not_asked_for_them() -> None:
    reader_only = FieldTrust("reader", fills=False, joins=False)
    profile = TrustProfile(
        "p",
        {
            "casualties.killed": reader_only,
            "casualties.injured": reader_only,
            "casualties.children_killed": reader_only,
            "casualties.children_injured": reader_only,
            "damage": reader_only,
            "when": FieldTrust("model", fills=True, joins=False),
        },
    )
    asked = profile.asked_properties()
    assert asked is not None and "casualties" not in asked and "damage" not in asked
    assert {"event_type", "title", "summary", "when", "places"} <= set(asked)
    schema = event_tool(asked)["tools"][0]["function"]["parameters"]
    assert set(schema["properties"]) == set(asked) and "casualties" not in schema["properties"]
    assert TrustProfile.default().asked_properties() is None  # the default asks for everything


def oracle_profile(tmp_path: Path) -> Path:
    path = tmp_path / "oracle.json"
    result = CliRunner().invoke(
        cli,
        [
            *["eval", "--oracle", "--strategy", "all", "--trust-profile", "default", "--limit", "12"],
            *["--fixtures", str(FIXTURES), "--save-profile", str(path)],
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"trust profile written to {path}" in result.stderr
    return path


def test_eval_measures_a_profile_the_oracle_leads_everywhere_and_the_reader_never_fills_its_gaps(
    tmp_path: Path,
) -> None:
    profile = load_profile(oracle_profile(tmp_path))
    data = json.loads((tmp_path / "oracle.json").read_text())
    assert data["setup"]["backend"] == "oracle" and data["code_version"] == profile_code_version()
    assert data["fixtures"]["cases"] == 12 and len(data["fixtures"]["hash"]) == 16
    assert all(trust.leader == "model" for trust in profile.fields.values())
    for name, sides in profile.measured.items():
        assert sides["model"].precision in (1.0, None), name
        if sides["reader"].gap_emitted >= 3:  # the oracle's empty field is a true "not stated"
            assert not profile.field(name).fills, name


def test_a_stale_profile_is_refused(tmp_path: Path) -> None:
    path = oracle_profile(tmp_path)
    data = json.loads(path.read_text())
    data["code_version"] = "0" * 16
    path.write_text(json.dumps(data))
    settings = Settings.from_env({}, home=tmp_path / "home", strategy="both", trust_profile=str(path))
    with pytest.raises(ConfigError, match="refused: it was measured by other code"):
        Summarizer(settings)
    # found automatically for its setup, a stale profile gives way to the default, and the run says why
    (tmp_path / "home" / "profiles").mkdir(parents=True)
    data["setup"] = {"backend": "local", "model": settings.model_name, "prompt_name": "default"}
    from summarizer.model.prompts import load_prompt

    data["setup"]["prompt_hash"] = load_prompt("default").hash
    (tmp_path / "home" / "profiles" / "mine.json").write_text(json.dumps(data))
    summarizer = Summarizer(settings.with_(trust_profile="auto"))
    assert summarizer.profile.name == "default" and "refused" in (summarizer.profile_note or "")


def test_summarize_uses_the_profile_measured_for_its_setup_and_says_so(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile saved under $SUMMARIZER_HOME/profiles for this backend, model and prompt is found: stderr and the
    record's provenance name it, and the model is asked only for what the profile can use from it."""
    from fake_backend import QueuedBackend
    from test_eval_support import answer

    from summarizer.cli.kit import SUMMARIZER_KEY
    from summarizer.model.prompts import load_prompt
    from summarizer.store.database import Store

    home = isolated_home
    prompt_hash = load_prompt("default").hash
    reader_only = {"leader": "reader", "other_fills": False, "other_joins": False}
    profile = {
        "format": "summarizer-trust-profile",
        "format_version": "1",
        "name": "measured-here",
        "setup": {"backend": "fake", "model": "queued", "prompt_name": "default", "prompt_hash": prompt_hash},
        "code_version": profile_code_version(),
        "fixtures": {"cases": 5},
        "fields": {
            name: {
                "model": {"correct": 1, "emitted": 10, "gap_correct": 0, "gap_emitted": 10},
                "reader": {"correct": 9, "emitted": 10, "gap_correct": 9, "gap_emitted": 10},
                **reader_only,
            }
            for name in (
                *(f"casualties.{n}" for n in ("killed", "injured", "children_killed", "children_injured")),
                "damage",
            )
        },
    }
    (home / "profiles").mkdir(parents=True)
    (home / "profiles" / "measured-here.json").write_text(json.dumps(profile))
    backend = QueuedBackend([answer(0)])

    def factory(settings: Settings) -> Summarizer:
        return Summarizer(settings, backend=backend, store=Store.open(home))

    article = tmp_path / "a.txt"
    article.write_text(" date 2024-03-10 Overnight a missile struck Kyiv. At least 3 people were injured.")
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "both")
    result = CliRunner().invoke(cli, ["summarize", "--format", "json", str(article)], obj={SUMMARIZER_KEY: factory})
    assert result.exit_code == 0, result.output
    assert "trust profile: measured-here (measured on 5 cases" in result.stderr, result.stderr
    record = json.loads(result.stdout)
    assert record["provenance"]["trust_profile"] == "measured-here"
    (request,) = backend.requests
    asked = request["tools"][0]["function"]["parameters"]["properties"]
    assert "casualties" not in asked and "damage" not in asked and "places" in asked


def test_the_default_profile_leads_with_the_model_and_is_named_on_stderr(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "both")
    settings = Settings.from_env({}, home=tmp_path, strategy="both")
    summarizer = Summarizer(settings)
    assert summarizer.profile.name in ("default", "local-smollm2-default")  # the bundled model ships its own
    assert TrustProfile.default().field("places").leader == "model"
    assert TrustProfile.default().field("weapons[2].launched") == TrustProfile.default().field("weapons.launched")
    assert date  # imported for symmetry with other tests


def test_the_shipped_profile_of_the_bundled_model_is_current() -> None:
    """The packaged profile is found for the bundled model and the default prompt, and was measured by this code
    (refresh it from the shipped answers, no model call: see README, Trust profiles)."""
    from summarizer.combine.trust import find_profile, setup_key, shipped_profiles_dir, stale_reason
    from summarizer.config.installed import BUNDLED_MODEL_FILE
    from summarizer.model.prompts import load_prompt

    setup = setup_key("local", BUNDLED_MODEL_FILE, "default", load_prompt("default").hash)
    path = find_profile(Path("/nonexistent-home"), setup)
    assert path is not None and path.parent == shipped_profiles_dir()
    profile = load_profile(path)
    assert stale_reason(profile, profile_code_version()) is None
    assert profile.meta["fixtures"]["cases"] >= 20


def test_a_model_credited_with_no_field_is_not_asked(tmp_path: Path) -> None:
    """The bundled model's measured case: the reader leads on every field, title and summary included, and the
    model fills nothing, so it is never called (nor loaded) and the reader makes the record."""
    from fake_backend import QueuedBackend

    from summarizer.combine.trust import FIELDS, TEXT_FIELDS
    from summarizer.ingest.articles import load_article
    from summarizer.store.database import Store

    reader_only = FieldTrust("reader", fills=False, joins=False)
    profile = TrustProfile("credits-nothing", dict.fromkeys((*FIELDS, *TEXT_FIELDS), reader_only))
    assert profile.asked_properties() == () and "not asked" in profile.describe()
    backend = QueuedBackend([])  # any call would fail
    settings = Settings.from_env({}, home=tmp_path, strategy="both", trust_profile="default")
    summarizer = Summarizer(settings, backend=backend, store=Store.open(tmp_path))
    summarizer.profile = profile
    record = summarizer.summarize(load_article(FIXTURES / "000_ede6e3fe3861d4f9.txt"))
    assert backend.calls == 0 and summarizer.reads_alone
    assert record.provenance.trust_profile == "credits-nothing" and record.provenance.attempts == 0
    assert record.event.casualties is not None and record.event.casualties.injured is not None
