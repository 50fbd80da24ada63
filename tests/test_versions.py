"""Code versions by folder (``summarizer.versions``) and the answer key's dependence on them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import versions


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A small stand-in package: two folders, a nested folder, a top-level module."""
    for name in ("ground/grounding.py", "ground/deep/rule.py", "output/view.py", "model/backends/http.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    (tmp_path / "pipeline.py").write_text("# pipeline\n")
    monkeypatch.setattr(versions, "PACKAGE", tmp_path)
    versions.code_hash.cache_clear()
    yield tmp_path
    versions.code_hash.cache_clear()


def edited(
    package: Path, name: str, parts: tuple[str, ...], *, top_level: bool = False, leave_out: tuple[str, ...] = ()
) -> tuple[str, str]:
    """The hash of ``parts`` before and after a line is added to ``name``."""
    before = versions.code_hash(parts, top_level=top_level, leave_out=leave_out)
    with (package / name).open("a") as handle:
        handle.write("x = 1\n")
    versions.code_hash.cache_clear()
    return before, versions.code_hash(parts, top_level=top_level, leave_out=leave_out)


def test_a_module_in_a_hashed_folder_changes_the_hash_wherever_it_sits(package: Path) -> None:
    before, after = edited(package, "ground/deep/rule.py", ("ground",))
    assert before != after


def test_a_module_elsewhere_does_not(package: Path) -> None:
    before, after = edited(package, "output/view.py", ("ground",))
    assert before == after


def test_a_new_module_counts_by_where_it_is(package: Path) -> None:
    before = versions.code_hash(("ground",))
    (package / "ground" / "new.py").write_text("# new\n")
    versions.code_hash.cache_clear()
    assert versions.code_hash(("ground",)) != before


def test_top_level_modules_count_only_when_asked(package: Path) -> None:
    before, after = edited(package, "pipeline.py", ("ground",))
    assert before == after
    before, after = edited(package, "pipeline.py", ("ground",), top_level=True)
    assert before != after


def test_a_folder_left_out_is_not_hashed(package: Path) -> None:
    before, after = edited(package, "model/backends/http.py", ("model",), leave_out=("model/backends",))
    assert before == after
    before, after = edited(package, "model/backends/http.py", ("model",))
    assert before != after


def test_a_missing_folder_or_module_is_an_error_not_a_gap(package: Path) -> None:
    with pytest.raises(FileNotFoundError):
        versions.code_hash(("nowhere",))
    with pytest.raises(FileNotFoundError):
        versions.code_hash(("ground/gone.py",))


def test_the_real_folders_exist() -> None:
    """Every folder the versions name is one of the package's (a renamed package fails here, not silently)."""
    versions.code_hash.cache_clear()
    for version in (
        versions.grounding_version,
        versions.reader_version,
        versions.reask_version,
        versions.record_code_version,
        versions.measured_code_version,
    ):
        assert len(version()) == 16
    assert versions.record_code_version() != versions.measured_code_version()  # the combining is left out


def test_an_answer_is_keyed_by_the_reask_code_only_when_it_may_be_reasked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_backend import QueuedBackend

    from summarizer.config.settings import Settings
    from summarizer.ingest.article import Article
    from summarizer.pipeline import Summarizer

    article = Article(id="a", text="Two people were hurt.", source="a.txt")

    def keys(env: dict[str, str]) -> tuple[str, str]:
        summarizer = Summarizer(Settings.from_env(env, home=tmp_path), backend=QueuedBackend([]))
        monkeypatch.setattr("summarizer.pipeline.reask_version", lambda: "old code")
        old = summarizer.answer_key(article, 0)
        monkeypatch.setattr("summarizer.pipeline.reask_version", lambda: "new code")
        return old, summarizer.answer_key(article, 0)

    first_only = keys({"SUMMARIZER_MAX_RETRIES": "0"})
    assert first_only[0] == first_only[1]
    reasked = keys({"SUMMARIZER_MAX_RETRIES": "2"})
    assert reasked[0] != reasked[1]
    model, both = (keys({"SUMMARIZER_STRATEGY": strategy})[0] for strategy in ("model", "both"))
    assert model == both  # one answer serves both strategies (tests/test_resume_strategies.py)
