"""`summarizer eval init DIR` writes a starter fixtures folder a user can run at once; a missing folder says what to do.

The starter cases are checked with the same label checks as the project's own fixtures, and the labelling guide
shipped with them must be the guide itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_eval_support import ByTextBackend, make_summarizer
from test_fixture_labels import case_problems

from summarizer.cli.eval import eval_group
from summarizer.evals.fixtures import load_fixtures
from summarizer.ingest.articles import load_article
from summarizer.record.schema import Casualties, Count, Event, Place, TimeWindow

ROOT = Path(__file__).resolve().parents[1]
STARTER = [
    "001_nikopol_2024-05-14_shelling.labels.json",
    "001_nikopol_2024-05-14_shelling.txt",
    "002_kayseri_2024-06-02_bus_crash.labels.json",
    "002_kayseri_2024-06-02_bus_crash.txt",
    "LABELLING.md",
]
ANSWERS = {
    "Nikopol": Event(
        event_type="shelling",
        title="Russian shelling of Nikopol kills two",
        summary="Russian artillery shelled Nikopol early on Tuesday.",
        when=TimeWindow(evidence="early on Tuesday", phrase="early on Tuesday", date_start="2024-05-14"),
        places=[Place(evidence="shelled the town of Nikopol", name="Nikopol", kind="city")],
        casualties=Casualties(
            killed=Count(evidence="killing two people", phrase="two", value=2, qualifier="exact"),
            injured=Count(evidence="wounding at least seven", phrase="at least seven", low=7, qualifier="at_least"),
        ),
    ),
    "Kayseri": Event(
        event_type="road_crash",
        title="Four killed as bus hits lorry near Kayseri",
        summary="A bus ran into a lorry near Kayseri late on Sunday.",
        when=TimeWindow(evidence="late on Sunday", phrase="late on Sunday", date_start="2024-06-02"),
        places=[Place(evidence="on a motorway near Kayseri", name="Kayseri", kind="city")],
        casualties=Casualties(
            killed=Count(evidence="Four people were killed", phrase="Four", value=4, qualifier="exact"),
            injured=Count(evidence="21 injured", phrase="21", value=21, qualifier="exact"),
        ),
    ),
}


def by_place_backend() -> ByTextBackend:
    """A fake model that answers each starter article with the event for the town it names."""
    return ByTextBackend(dict(ANSWERS), model="by-place")


def invoke(home: Path, args: list[str], backend: ByTextBackend | None = None) -> Result:
    model = backend or by_place_backend()

    def factory(settings):
        return make_summarizer(home, model, prompt=settings.prompt, strategy=settings.strategy)

    return CliRunner().invoke(eval_group, args, obj={"make_summarizer": factory}, catch_exceptions=False)


def test_init_writes_a_folder_that_eval_runs(tmp_path: Path) -> None:
    folder = tmp_path / "my evals"
    result = invoke(tmp_path / "home", ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == STARTER
    for name in STARTER:
        assert f"wrote {folder / name}" in result.output
    assert f"next: summarizer eval --fixtures '{folder}'" in result.output  # quoted: the path has a space
    guide = folder / "LABELLING.md"
    assert not guide.is_symlink() and guide.read_text(encoding="utf-8").startswith("# Labelling guide")

    backend = by_place_backend()
    report = tmp_path / "report.json"
    ran = invoke(tmp_path / "home", ["--fixtures", str(folder), "--json", str(report)], backend)
    assert ran.exit_code == 0, ran.output
    assert "eval: 2 case(s) x 1" in ran.output
    data = json.loads(report.read_text())
    assert [row["case"] for row in data["cases"]] == [name[: -len(".txt")] for name in STARTER if name.endswith(".txt")]
    assert all(row["error"] is None for row in data["cases"])
    assert backend.calls == 2
    assert data["summary"]["fields"]["casualties.killed"]["correct"] == 2
    assert data["summary"]["fields"]["event_type"]["f1"] == 1.0


def test_init_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "fx"
    folder.mkdir()
    mine = folder / "002_kayseri_2024-06-02_bus_crash.txt"
    mine.write_text("my own article", encoding="utf-8")
    result = invoke(tmp_path / "home", ["init", str(folder)])
    assert result.exit_code == 2
    assert "already has 002_kayseri_2024-06-02_bus_crash.txt" in result.output
    assert "nothing was written" in result.output
    assert mine.read_text(encoding="utf-8") == "my own article"
    assert [p.name for p in folder.iterdir()] == [mine.name]  # not even the files that did not clash

    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    refused = invoke(tmp_path / "home", ["init", str(a_file)])
    assert refused.exit_code == 2 and "is a file, not a folder" in refused.output

    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke(tmp_path / "home", ["init", str(empty)]).exit_code == 0  # an empty folder is fine
    assert invoke(tmp_path / "home", ["init", str(tmp_path / "a" / "b")]).exit_code == 0  # and a new nested one


def test_the_starter_cases_pass_the_label_checks() -> None:
    starter = files("summarizer.evals").joinpath("starter")
    folder = Path(str(starter))
    labels = sorted(folder.glob("*.labels.json"))
    assert len(labels) == 2
    for path in labels:
        raw = json.loads(path.read_text(encoding="utf-8"))
        article = load_article(path.parent / raw["article"])
        assert case_problems(raw, article) == [], path.name
        assert "starter example" in raw["notes"].lower()  # says it is illustrative, not a report of real events
    assert len(load_fixtures(folder).cases) == 2
    event_types = {json.loads(p.read_text())["labels"]["event_type"] for p in labels}
    assert event_types == {"shelling", "road_crash"}


def test_the_shipped_labelling_guide_is_the_guide() -> None:
    """summarizer/evals/starter/LABELLING.md is a link to evals/LABELLING.md (as summarizer/prompts is to
    prompts/): the build copies the file into the package, so one guide serves the checkout and the wheel;
    a copy in its place would drift."""
    guide = ROOT / "evals" / "LABELLING.md"
    if not guide.is_file():
        pytest.skip("not a checkout: evals/LABELLING.md is not here")
    shipped = ROOT / "summarizer" / "evals" / "starter" / "LABELLING.md"
    assert shipped.is_symlink() and shipped.resolve() == guide.resolve()


def test_eval_help_lists_init_and_keeps_the_run_options() -> None:
    result = CliRunner().invoke(eval_group, ["--help"])
    assert result.exit_code == 0
    assert "Usage: eval [OPTIONS] [COMMAND [ARGS]...]" in result.output
    for text in ("--fixtures", "--baseline", "--max-drop", "init", "compare", "runs", "eval init DIR"):
        assert text in result.output
    init_help = CliRunner().invoke(eval_group, ["init", "--help"])
    assert init_help.exit_code == 0 and "Usage: eval init [OPTIONS] DIR" in init_help.output


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUMMARIZER_HOME": str(cwd / "home")}
    return subprocess.run(
        [sys.executable, "-m", "summarizer", "eval", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_a_missing_fixtures_folder_says_what_to_do(tmp_path: Path) -> None:
    done = run_cli(tmp_path)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert f"no fixtures folder at evals/fixtures (the default, relative to the current folder {tmp_path})" in message
    assert "--fixtures DIR" in message and "summarizer eval init DIR" in message
    assert "Traceback" not in done.stderr

    given = run_cli(tmp_path, "--fixtures", "nowhere")
    assert given.returncode == 2
    assert "no fixtures folder at nowhere" in given.stderr and "summarizer eval init nowhere" in given.stderr

    (tmp_path / "empty").mkdir()
    empty = run_cli(tmp_path, "--fixtures", "empty")
    assert empty.returncode == 2
    assert "no fixtures in empty: expected NAME.labels.json files" in empty.stderr
    assert "summarizer eval init empty" in empty.stderr
