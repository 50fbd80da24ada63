"""Benchmark: the bundled model's time per article, asked for every field, for a few, or (as its profile says) none.

Three setups on the same articles, interleaved article by article in one run, nothing served from a cache:

- ``all fields``: ``--trust-profile default`` (the whole tool schema, as before trust profiles);
- ``text only``: a profile in which the model leads on the title and summary alone, so its tool schema holds
  the three required properties (event type, title, summary): what a smaller schema saves by itself;
- ``shipped profile``: the profile measured for the bundled model, which credits it with no field, so the
  model is not asked and the reader makes the record.

Prints seconds per article (min / median / max), output tokens and model calls, and each setup's median as a
ratio to ``all fields``. Slow: the first setup takes minutes an article on two cores.

    .venv/bin/python bench/bench_asked.py [ARTICLES]      # default: 2
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from summarizer.combine.trust import FieldTrust, TrustProfile
from summarizer.config.settings import Settings
from summarizer.evals.fixtures import load_fixtures
from summarizer.pipeline import Summarizer

ROOT = Path(__file__).parents[1]


def text_only() -> TrustProfile:
    """The model leads on title and summary, the reader on everything else: only the required properties."""
    reader_only = FieldTrust("reader", fills=False, joins=False)
    model = FieldTrust("model", fills=False, joins=False)
    from summarizer.combine.trust import FIELDS

    return TrustProfile("text-only", {**dict.fromkeys(FIELDS, reader_only), "title": model, "summary": model})


def main(count: int) -> None:
    cases = load_fixtures(ROOT / "evals" / "fixtures").cases[:count]
    with tempfile.TemporaryDirectory() as home:
        base = Settings.from_env({}, home=Path(home), strategy="both", backend="local")
        setups = {
            "all fields": Summarizer(base.with_(trust_profile="default")),
            "text only": Summarizer(base.with_(trust_profile="default")),
            "shipped profile": Summarizer(base.with_(trust_profile="auto")),
        }
        setups["text only"].profile = text_only()
        times: dict[str, list[float]] = {name: [] for name in setups}
        tokens: dict[str, int] = dict.fromkeys(setups, 0)
        calls: dict[str, int] = dict.fromkeys(setups, 0)
        setups["shipped profile"].read(cases[0].article)  # spaCy loaded before timing, for every setup alike
        for case in cases:
            for name, summarizer in setups.items():
                started = time.perf_counter()
                record = summarizer.summarize(case.article, use_cache=False)
                times[name].append(time.perf_counter() - started)
                tokens[name] += record.provenance.usage.completion_tokens
                calls[name] += record.provenance.attempts
                print(f"{case.name} {name}: {times[name][-1]:.1f}s", file=sys.stderr)
        reference = statistics.median(times["all fields"])
        print(f"\n| setup ({len(cases)} articles) | s/article min / median / max | output tokens | calls | ratio |")
        print("|---|---|---|---|---|")
        for name, seconds in times.items():
            median = statistics.median(seconds)
            print(
                f"| {name} | {min(seconds):.1f} / {median:.1f} / {max(seconds):.1f} | {tokens[name]} | {calls[name]} "
                f"| {median / reference:.3f} |"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
