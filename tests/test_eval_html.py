"""The HTML report, rendered in headless Chromium: it renders, shows every case, and hostile text stays text.

Needs the Debian package `chromium`. Without it the browser tests skip locally; in CI (CI=true) they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_eval_support import ByArticleBackend, answer, article, make_summarizer, write_fixtures

from summarizer.cli.eval import eval_group
from summarizer.evals.fixtures import load_fixtures
from summarizer.evals.html import render_html
from summarizer.evals.runner import run_eval
from summarizer.output.highlight import highlight
from summarizer.record.schema import Casualties, Count, Place

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '"><svg onload=alert(3)>']
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; CI must install it (apt-get install -y chromium)")
    pytest.skip("chromium is not installed (Debian package `chromium`); this test fails instead of skipping in CI")


def browse(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.sections: list[str | None] = []
        self.titles: list[str] = []  # mark titles
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        if tag == "section":
            self.sections.append(attributes.get("id"))
        if tag == "mark":
            self.titles.append(attributes.get("title") or "")
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag: str) -> None:
        self._in_h2 = False if tag == "h2" else self._in_h2

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h2:
            self.headings.append(data)


@pytest.fixture
def page(tmp_path: Path) -> tuple[Path, list[str]]:
    hostile_article = article(2).replace("Case marker", " ".join(HOSTILE) + " Case marker")
    hostile_article = hostile_article.replace("struck Odesa", "struck <b onmouseover=alert(4)>Odesa</b>")
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 3, extra={2: hostile_article})).cases
    hostile_answer = answer(2).model_copy(
        update={
            "title": HOSTILE[0] + " title",
            "places": [Place(evidence="struck <b onmouseover=alert(4)>Odesa</b>", name="Odesa", kind="city")],
        }
    )
    backend = ByArticleBackend(
        {0: answer(0), 1: RuntimeError("<script>alert(5)</script> in an error"), 2: hostile_answer}
    )
    run = run_eval(make_summarizer(tmp_path / "home", backend), cases)
    assert run.rows[2].record is not None and "places[0]" in run.rows[2].record["spans"]
    path = tmp_path / "report.html"
    path.write_text(render_html(run, {case.name: case.article.text for case in cases}), encoding="utf-8")
    return path, [case.name for case in cases]


def test_page_source_has_no_live_markup(page: tuple[Path, list[str]]) -> None:
    source = page[0].read_text(encoding="utf-8")
    for needle in ("<script", "<img", "<svg", "<b onmouseover"):
        assert needle not in source
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source


def test_an_unexpected_exception_shows_its_traceback_collapsed_and_escaped(page: tuple[Path, list[str]]) -> None:
    source = page[0].read_text(encoding="utf-8")
    case = source[source.index("<section class='case' id='case-1'>") : source.index("id='case-2'")]
    assert "<p class='error'>error: RuntimeError: &lt;script&gt;alert(5)&lt;/script&gt; in an error</p>" in case
    start = case.index("<details class='traceback'><summary>traceback</summary><pre><code>Traceback (most recent")
    traceback = case[start : case.index("</details>", start)]
    assert ", in summarize\n" in traceback  # the frames, not one line
    assert traceback.endswith("RuntimeError: &lt;script&gt;alert(5)&lt;/script&gt; in an error\n</code></pre>")
    assert source.count("class='traceback'") == 1  # the cases that did not fail have none
    assert "<details class='traceback' open" not in source


def test_highlight_escapes_and_marks_overlapping_spans() -> None:
    text = "a <i>b</i> c"
    marked = highlight(
        text, {"x": {"start": 2, "end": 10}, "y": {"start": 5, "end": 12}, "bad": {"start": 9, "end": 99}}
    )
    assert marked == (
        'a <mark title="x">&lt;i&gt;</mark><mark class="overlap" title="x, y">b&lt;/i&gt;</mark>'
        '<mark title="y"> c</mark>'
    )
    assert "bad" not in marked  # a span outside the text is ignored, not an error


def test_chromium_renders_every_case_and_injects_nothing(page: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, names = page
    dom = Dom()
    dom.feed(browse(tmp_path, "--dump-dom", path.as_uri()).stdout)
    assert "table" in dom.tags and "body" in dom.tags
    assert not {"script", "img", "svg", "iframe", "object", "embed"} & set(dom.tags)
    assert dom.handlers == []
    assert dom.sections == [f"case-{i}" for i in range(len(names))]
    assert dom.headings == names
    text = "".join(dom.text)
    for hostile in [*HOSTILE, "<b onmouseover=alert(4)>Odesa</b>", "<script>alert(5)</script> in an error"]:
        assert hostile in text  # shown as text
    assert any("places[0]" in title for title in dom.titles)
    assert any("casualties.injured" in title for title in dom.titles)


def test_chromium_screenshot(page: tuple[Path, list[str]], tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    browse(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", "--hide-scrollbars", page[0].as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 900)
    assert len(data) > 20_000  # a page with tables and text, not a blank canvas


def test_the_reports_show_what_the_model_said_for_removed_values(tmp_path: Path, isolated_home: Path) -> None:
    """Grounding removes a place the article never names and a figure it never states; the JSON report keeps
    what the model said for each (from its stored answer), and the HTML page shows it beside the reason."""
    good = answer(0)
    injured = Count(evidence="At least 3 people were injured", phrase="At least 3", value=99, qualifier="at_least")
    said = good.model_copy(
        update={
            "places": [*good.places, Place(evidence="a missile struck Lublin", name="Lublin", kind="city")],
            "casualties": Casualties(injured=injured),
        }
    )
    fixtures = write_fixtures(tmp_path / "fx", 1)
    report, page = tmp_path / "report.json", tmp_path / "report.html"

    def factory(settings):
        return make_summarizer(isolated_home, ByArticleBackend({0: said}), prompt=settings.prompt)

    result = CliRunner().invoke(
        eval_group,
        ["--fixtures", str(fixtures), "--json", str(report), "--html", str(page)],
        obj={"make_summarizer": factory},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "2 removed; what the model said: 'removed' per case" in " ".join(result.output.split())  # rich wraps
    data = json.loads(report.read_text(encoding="utf-8"))
    removed = {item["path"]: item for item in data["cases"][0]["removed"]}
    assert set(removed) == {"places[1]", "casualties.injured"}
    assert removed["places[1]"]["said"] == {"evidence": "a missile struck Lublin", "name": "Lublin", "kind": "city"}
    assert removed["places[1]"]["why"].startswith("place 'Lublin' is not in the article")
    assert removed["casualties.injured"]["said"]["value"] == 99
    assert "[99] not stated in" in removed["casualties.injured"]["why"]
    assert data["summary"]["grounding"]["removed"] == 2
    assert data["cases"][0]["record"]["event"]["places"] == [good.places[0].model_dump(mode="json")]  # really gone

    source = page.read_text(encoding="utf-8")
    assert "removed by grounding (2): what the model said" in source
    assert "grounding: " in source and "; what the model said is shown per case</li>" in source  # run facts
    # escaped JSON (Jinja2 autoescape writes a double quote as &#34;)
    assert "&#34;name&#34;: &#34;Lublin&#34;" in source and "&#34;value&#34;: 99" in source
    assert "[99] not stated in" in source
