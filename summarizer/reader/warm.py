"""Imported by the reader's fork server (``summarizer.run.runner.ReaderPool``): loads the spaCy pipeline and the
gazetteer once, so that every worker process forked from it starts with them loaded (and shares their memory).

A failure here is left for the workers to meet and report per article (a missing pipeline is a ConfigError).
"""

from __future__ import annotations

try:
    from summarizer.reader.gazetteer import kind_of
    from summarizer.reader.nlp import pipeline

    pipeline()("Warm-up.")
    kind_of("Kyiv")
except Exception:  # reported by the worker that meets it, with the article
    pass
