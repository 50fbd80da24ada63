"""A fixtures folder may come from an untrusted pull request: its labels files cannot make the eval (or the
merge evaluation) read, send to a model or embed in a report any file outside the fixtures folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai_server import Reply, chat_server, completion

from summarizer.cli.root import cli
from summarizer.evals.fixtures import FixtureError, load_fixtures
from summarizer.merge.evaluate import records_from_labels

SECRET = "OPENAI_API_KEY=sk-secret-from-the-runner"
LABELS = {"event": "e1", "labels": {"event_type": "other"}}


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A fixtures folder inside a checkout whose ``.env`` holds a secret."""
    checkout = tmp_path / "checkout"
    fixtures = checkout / "evals" / "fixtures"
    fixtures.mkdir(parents=True)
    (checkout / ".env").write_text(SECRET, encoding="utf-8")
    (fixtures / "ok.txt").write_text("A strike hit the town.", encoding="utf-8")
    (fixtures / "ok.labels.json").write_text(json.dumps(LABELS), encoding="utf-8")
    return checkout, fixtures


def write_labels(folder: Path, name: str, article: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.labels.json"
    path.write_text(json.dumps({**LABELS, **({"article": article} if article is not None else {})}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("article", "reason"),
    [
        ("../../.env", "leads outside the fixtures folder"),
        ("sub/../../../.env", "leads outside the fixtures folder"),
        ("ABSOLUTE", "must be a relative path inside the fixtures folder"),
    ],
)
def test_an_article_path_out_of_the_folder_is_refused(layout: tuple[Path, Path], article: str, reason: str) -> None:
    checkout, fixtures = layout
    given = str(checkout / ".env") if article == "ABSOLUTE" else article
    labels = write_labels(fixtures, "evil", given)
    with pytest.raises(FixtureError, match=reason) as caught:
        load_fixtures(fixtures)
    assert str(labels) in str(caught.value) and SECRET not in str(caught.value)
    with pytest.raises(FixtureError, match=reason):
        records_from_labels(fixtures)


def test_a_symlink_out_of_the_folder_is_refused(layout: tuple[Path, Path]) -> None:
    checkout, fixtures = layout
    (fixtures / "linked.txt").symlink_to(checkout / ".env")
    write_labels(fixtures, "linked", None)  # the article beside it, found by name
    with pytest.raises(FixtureError, match="outside the fixtures folder") as caught:
        load_fixtures(fixtures)
    assert "linked.labels.json" in str(caught.value)
    (fixtures / "named.txt").symlink_to(checkout / ".env")
    (fixtures / "linked.txt").unlink()
    (fixtures / "linked.labels.json").unlink()
    write_labels(fixtures, "named", "named.txt")
    with pytest.raises(FixtureError, match="outside the fixtures folder"):
        load_fixtures(fixtures)
    with pytest.raises(FixtureError, match="outside the fixtures folder"):
        records_from_labels(fixtures)


def test_a_symlinked_folder_out_of_the_fixtures_is_refused(layout: tuple[Path, Path]) -> None:
    checkout, fixtures = layout
    outside = checkout / "elsewhere"
    outside.mkdir()
    (outside / "x.txt").write_text(SECRET, encoding="utf-8")
    (fixtures / "door").symlink_to(outside, target_is_directory=True)
    write_labels(fixtures, "through", "door/x.txt")
    with pytest.raises(FixtureError, match="outside the fixtures folder"):
        load_fixtures(fixtures)


def test_paths_inside_the_folder_still_work(layout: tuple[Path, Path]) -> None:
    _, fixtures = layout
    (fixtures / "articles").mkdir()
    (fixtures / "articles" / "deep.md").write_text("A drone hit a depot.", encoding="utf-8")
    write_labels(fixtures, "deep", "articles/deep.md")
    write_labels(fixtures / "group", "up", "../ok.txt")  # '..' that stays inside is fine
    (fixtures / "inner.txt").symlink_to(fixtures / "ok.txt")  # a symlink that stays inside is fine
    write_labels(fixtures, "inner", None)
    cases = {case.name: case for case in load_fixtures(fixtures).cases}
    assert cases["deep"].article.text == "A drone hit a depot."
    assert cases["inner"].article.text == cases["ok"].article.text == cases["group/up"].article.text


def test_the_eval_command_stops_with_exit_2_and_sends_nothing(layout: tuple[Path, Path], tmp_path: Path) -> None:
    """Run as a user runs it, against a real server on loopback: nothing reaches the server or a report."""
    _, fixtures = layout
    write_labels(fixtures, "evil", "../../.env")
    report = tmp_path / "report.html"
    with chat_server(lambda number, request: Reply(body=completion(request, "{}"))) as server:
        result = CliRunner().invoke(
            cli, ["eval", "--fixtures", str(fixtures), "--base-url", server.url, "--html", str(report)]
        )
    assert result.exit_code == 2, result.output
    assert "evil.labels.json" in result.output and "leads outside the fixtures folder" in result.output
    assert SECRET not in result.output and not report.exists()
    assert server.seen == []


def test_a_nul_in_the_article_name_is_a_clear_error(layout: tuple[Path, Path]) -> None:
    _, fixtures = layout
    write_labels(fixtures, "nul", "ok.txt\u0000../../.env")
    with pytest.raises(FixtureError, match="'article' must be a file name"):
        load_fixtures(fixtures)


def test_a_symlinked_labels_file_out_of_the_folder_is_refused_before_it_is_read(layout: tuple[Path, Path]) -> None:
    checkout, fixtures = layout
    outside = checkout / "outside.labels.json"
    outside.write_text(json.dumps({"labels": {"event_type": SECRET}}), encoding="utf-8")
    (fixtures / "linked.labels.json").symlink_to(outside)
    with pytest.raises(FixtureError, match="leads outside the fixtures folder") as caught:
        load_fixtures(fixtures)
    assert SECRET not in str(caught.value)
