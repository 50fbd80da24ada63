"""Prompts for users: `prompts new` writes into the user's prompts folder, and the name in a prompt's header is
its one name everywhere (`prompts list`, `prompts show`, `--prompt`). The model is the queued fake of
tests/test_cli.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import Fake, answer, article_file, assert_clean, install_fake, records, run

from summarizer.model.prompts import PACKAGED_DIR, load_prompt


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


def prompt_text(name: str, *, extra: str = "\nBe brief.\n") -> str:
    """The default prompt, renamed in its header, with one more line (so another hash)."""
    text = (PACKAGED_DIR / "default.txt").read_text(encoding="utf-8")
    return text.replace("name: default", f"name: {name}", 1) + extra


def listed(stdout: str) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t")[1:] for line in stdout.splitlines()}


def test_new_then_list_then_summarize_with_it(isolated_home: Path, tmp_path: Path, fake: Fake) -> None:
    """After `prompts new terse`, `--prompt terse` works: the copy is in $SUMMARIZER_HOME/prompts (not in the
    package, so a non-editable install can do it too)."""
    result = run("prompts", "new", "terse")
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == isolated_home / "prompts" / "terse.txt" and path.is_file()
    assert "--prompt terse" in result.stderr

    prompt = load_prompt("terse")
    assert (prompt.name, prompt.version, prompt.path) == ("terse", "1", path)
    default = load_prompt("default")
    assert prompt.system == default.system and prompt.user == default.user
    assert "copy of default v" in prompt.description and default.hash in prompt.description

    result = run("prompts", "list")
    assert result.exit_code == 0
    assert listed(result.stdout)["terse"] == ["v1", prompt.hash, prompt.description]
    assert "default" in listed(result.stdout) and result.stderr == ""

    fake.queue(answer())
    result = run("summarize", article_file(tmp_path), "--prompt", "terse")
    assert result.exit_code == 0, result.stderr
    [record] = records(result.stdout)
    assert (record.provenance.prompt_name, record.provenance.prompt_hash) == ("terse", prompt.hash)
    assert "prompt terse v1" in result.stderr


def test_new_from_another_prompt_or_a_file(tmp_path: Path) -> None:
    assert run("prompts", "new", "terse").exit_code == 0
    edited = load_prompt("terse").path
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne line per field.\n", encoding="utf-8")
    result = run("prompts", "new", "terse-v2", "--from", "terse")
    assert result.exit_code == 0, result.stderr
    copy = load_prompt("terse-v2")
    assert copy.version == "1" and "One line per field." in copy.user
    assert copy.description.startswith(f"copy of terse v1 ({load_prompt('terse').hash})")

    outside = tmp_path / "shared.txt"
    outside.write_text(prompt_text("shared"), encoding="utf-8")
    result = run("prompts", "new", "mine", "--from", str(outside))
    assert result.exit_code == 0, result.stderr
    assert load_prompt("mine").user == load_prompt(str(outside)).user


def test_the_prompts_dir_variable_is_the_user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "team-prompts"
    monkeypatch.setenv("SUMMARIZER_PROMPTS_DIR", str(folder))
    result = run("prompts", "new", "terse")
    assert result.exit_code == 0 and Path(result.stdout.strip()) == folder / "terse.txt"
    assert "terse" in listed(run("prompts", "list").stdout)


def test_new_never_replaces_a_prompt(isolated_home: Path) -> None:
    assert run("prompts", "new", "terse").exit_code == 0
    path = isolated_home / "prompts" / "terse.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nMy edit.\n", encoding="utf-8")
    before = path.read_bytes()

    again = run("prompts", "new", "terse")
    assert again.exit_code == 2 and "exists already" in again.stderr and str(path) in again.stderr
    assert path.read_bytes() == before and again.stdout == ""
    assert_clean(again)

    # A file of that name holding another prompt is not replaced either.
    (isolated_home / "prompts" / "other.txt").write_text(prompt_text("something-else"), encoding="utf-8")
    clash = run("prompts", "new", "other")
    assert clash.exit_code == 2 and "exists and is never replaced" in clash.stderr
    assert "something-else" in (isolated_home / "prompts" / "other.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["a/b", "terse.txt", "-x", ".hidden", "two words"])
def test_new_refuses_what_cannot_be_a_name(name: str, isolated_home: Path) -> None:
    result = run("prompts", "new", "--", name)
    assert result.exit_code == 2 and "cannot be a prompt name" in result.stderr
    assert not (isolated_home / "prompts").exists()


def test_new_from_an_unknown_prompt() -> None:
    result = run("prompts", "new", "terse", "--from", "nope")
    assert result.exit_code == 2 and "no prompt named 'nope'" in result.stderr


def test_a_prompt_is_found_by_the_name_in_its_header(isolated_home: Path, tmp_path: Path, fake: Fake) -> None:
    """experiment1.txt says `name: terse`: it is `terse` in list, show and --prompt, and `prompts list` says
    that its file is named otherwise; `--prompt experiment1` is refused with that hint."""
    folder = isolated_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "experiment1.txt").write_text(prompt_text("terse"), encoding="utf-8")

    result = run("prompts", "list")
    assert result.exit_code == 0 and "terse" in listed(result.stdout) and "experiment1" not in listed(result.stdout)
    assert "experiment1.txt is named 'terse' in its header" in result.stderr

    shown = run("prompts", "show", "terse")
    assert shown.exit_code == 0 and shown.stdout == (folder / "experiment1.txt").read_text(encoding="utf-8")

    fake.queue(answer())
    result = run("summarize", article_file(tmp_path), "--prompt", "terse")
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0].provenance.prompt_name == "terse"

    refused = run("summarize", article_file(tmp_path), "--prompt", "experiment1")
    assert refused.exit_code == 2 and "no prompt named 'experiment1'" in refused.stderr
    assert "experiment1.txt is named 'terse' in its header" in refused.stderr
    assert_clean(refused)


def test_two_prompts_of_one_name_are_an_error_naming_both(isolated_home: Path, tmp_path: Path, fake: Fake) -> None:
    folder = isolated_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "terse.txt").write_text(prompt_text("terse"), encoding="utf-8")
    (folder / "terse-copy.txt").write_text(prompt_text("terse", extra="\nOther.\n"), encoding="utf-8")

    for result in (run("prompts", "list"), run("prompts", "show", "terse")):
        assert result.exit_code == 2, result.stdout
        assert "two prompts are named 'terse'" in result.stderr
        assert str(folder / "terse.txt") in result.stderr and str(folder / "terse-copy.txt") in result.stderr
        assert_clean(result)
    refused = run("summarize", article_file(tmp_path), "--prompt", "terse")
    assert refused.exit_code == 2 and "two prompts are named 'terse'" in refused.stderr and fake.calls == 0

    # Another prompt still loads; the duplicate only stops what needs it.
    fake.queue(answer())
    assert run("summarize", article_file(tmp_path)).exit_code == 0


def test_a_users_prompt_hides_the_packaged_one_of_that_name(isolated_home: Path) -> None:
    result = run("prompts", "new", "default")
    assert result.exit_code == 0, result.stderr
    assert f"hides {PACKAGED_DIR / 'default.txt'}" in result.stderr
    mine = load_prompt("default")
    assert mine.path == isolated_home / "prompts" / "default.txt"

    result = run("prompts", "list")
    assert list(listed(result.stdout)) == ["default"] and listed(result.stdout)["default"][1] == mine.hash
    assert "hides" in result.stderr


def test_new_succeeds_beside_a_malformed_prompt_and_says_so(isolated_home: Path) -> None:
    """The copy is written and its path printed (exit 0): a broken file elsewhere in the folder is a note."""
    folder = isolated_home / "prompts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "draft.txt").write_text("no header here\n", encoding="utf-8")
    result = run("prompts", "new", "terse")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(folder / "terse.txt") and (folder / "terse.txt").is_file()
    assert "note:" in result.stderr and "draft.txt" in result.stderr
