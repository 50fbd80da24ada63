"""Tables out: `--format csv` (and parquet) of records and merged events, read back with pandas as a data user
would; the columns are the ones README documents."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from summarizer.cli.root import cli
from summarizer.output.tables import COLUMNS, to_csv
from summarizer.record import Record

ROOT = Path(__file__).parents[1]
SEEDS = sorted(str(path) for path in (ROOT / "evals" / "fixtures").glob("00[01]_*.txt"))
RECORDS = ROOT / "tests" / "data" / "records"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "reader")  # no model runs in these tests


def test_the_two_seeds_merged_as_csv_read_back_with_pandas(reader: None) -> None:
    code, out, err = run("summarize", "--strategy", "reader", "--merge", "--format", "csv", *SEEDS)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == 1  # the two reports of one attack: one merged event, one row
    row = table.iloc[0]
    assert row["kind"] == "merged_event" and row["sources_count"] == 2
    assert row["source"].split(";") == SEEDS
    assert (row["published"], row["date_start"], row["date_end"]) == ("2024-03-21", "2024-03-21", "2024-03-21")
    assert row["event_type"] == "missile_or_air_strike" and row["city"] == "Kyiv"
    # the sources' "at least 17" and "at least 13": value, low, high, qualifier, how they relate, both phrases
    assert (row["injured"], row["injured_low"], row["injured_high"]) == (17, 13, 17)
    assert (row["injured_qualifier"], row["injured_status"]) == ("at_least", "compatible")
    assert "at least 17" in row["injured_phrase"] and "at least 13" in row["injured_phrase"]
    assert "falling debris" in row["injured_evidence"]
    assert pd.isna(row["killed"]) and pd.api.types.is_integer_dtype(table["injured"])  # not stated: empty
    assert "missile" in row["weapon_kinds"].split(";") and row["launched"] == "missile=31"
    assert {"Kyiv", "Podilsky", "Sviatoshyn"} <= set(row["places"].split(";"))
    assert row["warnings"] >= 0 and pd.isna(row["strategy"])


def test_records_as_csv_one_row_each_in_input_order(reader: None, tmp_path: Path) -> None:
    out = tmp_path / "records.csv"
    code, _, err = run("summarize", "--out", str(out), *SEEDS)  # csv chosen by the suffix
    assert code == 0, err
    assert f"summarizer: wrote {out}" in err.splitlines()
    table = pd.read_csv(out)
    assert list(table["id"]) == [Path(seed).stem for seed in SEEDS]
    assert list(table["kind"]) == ["record", "record"] and list(table["sources_count"]) == [1, 1]
    assert list(table["injured"]) == [17, 13]
    assert list(table["injured_qualifier"]) == ["at_least", "at_least"]
    assert list(table["strategy"]) == ["reader", "reader"] and table["model"].isna().all()


def test_merge_command_writes_csv_and_names_the_file(tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    code, _, err = run("merge", str(RECORDS / "seed_000.json"), str(RECORDS / "seed_001.json"), "--out", str(out))
    assert code == 0, err
    assert f"wrote {out}" in err
    row = pd.read_csv(out).iloc[0]
    assert (row["injured_low"], row["injured_high"], row["injured_status"]) == (13, 17, "compatible")
    assert row["intercepted"] == "missile=31"


def test_parquet_round_trips_with_typed_columns(reader: None, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")  # in the test extra; optional for users
    out = tmp_path / "events.parquet"
    code, _, err = run("summarize", "--merge", "--out", str(out), *SEEDS)
    assert code == 0, err
    table = pd.read_parquet(out)
    assert list(table.columns) == list(COLUMNS) and len(table) == 1
    assert (table["injured"][0], table["injured_low"][0]) == (17, 13)
    assert f"summarizer: wrote {out}" in err.splitlines()


def test_parquet_without_pyarrow_or_without_out_is_a_usage_error(
    reader: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = run("summarize", "--format", "parquet", *SEEDS)
    assert code == 2 and "give --out FILE.parquet" in err
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, _, err = run("summarize", "--out", str(tmp_path / "x.parquet"), *SEEDS)
    assert code == 2 and "--format parquet needs pyarrow" in err
    assert not (tmp_path / "x.parquet").exists()


def test_a_cell_that_a_spreadsheet_would_run_is_made_inert() -> None:
    data = json.loads((RECORDS / "seed_000.json").read_text(encoding="utf-8"))
    data["event"]["title"] = '=HYPERLINK("http://evil.example","click")'
    table = pd.read_csv(io.StringIO(to_csv([Record.model_validate(data)])))
    assert table["title"][0].startswith("'=HYPERLINK")


def test_readme_documents_every_column() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Tables") :]
    section = section[: section.index("\n#", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = [name for row in rows for name in re.findall(r"`([a-z_]+)`", row.split(" | ")[0])]
    # the killed row stands for every count: injured, children_killed and children_injured have its columns
    counts = [name.replace("killed", count, 1) for count in ("killed", "injured", "children_killed",
              "children_injured") for name in documented if name.startswith("killed")]  # fmt: skip
    start = documented.index("killed")
    expanded = documented[:start] + counts + [name for name in documented[start:] if not name.startswith("killed")]
    assert expanded == list(COLUMNS)
