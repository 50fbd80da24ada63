"""What the reader found: one fact, where it is in the article, and how sure the rule that found it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """``path`` names the field ('casualties.injured', 'weapons.missile.launched', 'places', 'when', ...);
    ``value`` is the schema object the field would hold; ``start``/``end`` are the character offsets of the
    evidence (the sentence) in the article text; ``phrase_start``/``phrase_end`` those of the words themselves."""

    path: str
    value: Any
    start: int
    end: int
    confidence: float
    why: str = ""
    phrase_start: int | None = None
    phrase_end: int | None = None
