"""Benchmark: grounding one event against articles of growing length.

Grounding runs on every answer (and again on every re-ask), so it must stay cheap next to the
model call and grow no worse than linearly with the article. Prints, per article length, the
time and peak memory of ``ground_event`` as ratios to a reference measured in the same run on
the same text: one ``normalise`` pass over the article (the least any quote search must do).

    .venv/bin/python bench/bench_grounding.py [REPEATS]      # default: 20
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from summarizer.ground.grounding import ground_event
from summarizer.ground.locate import _normalised_article
from summarizer.ingest.articles import load_article
from summarizer.record.schema import Casualties, Count, Damage, Event, Place, Statement, TimeWindow
from summarizer.text.normalize import normalise

SEED = load_article(Path(__file__).parents[1] / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt")
EVENT = Event(
    event_type="missile_or_air_strike",
    title="Missile attack on Kyiv",
    summary="Russia fired 31 missiles at Kyiv overnight.",
    when=TimeWindow(evidence="In a stark overnight operation", phrase="overnight"),
    places=[
        Place(name="Kyiv", kind="city", evidence="launched by Russia at Kyiv"),
        Place(name="Podilsky", kind="district", evidence="wrong quote, repaired from the name"),
        Place(name="Lviv", kind="city", evidence="invented"),
    ],
    casualties=Casualties(
        injured=Count(evidence="resulted in at least 17 injuries", phrase="at least 17", value=17, qualifier="exact")
    ),
    damage=[Damage(evidence="Among the damaged were a power transformer", what="power transformer")],
    statements=[Statement(evidence="as detailed by the head", speaker="Serhiy Popko", gist="damage listed")],
)


def measure(func: Callable[[], object], repeats: int) -> tuple[float, int]:
    """Best wall time of ``repeats`` runs, and the peak memory of one run."""
    best = float("inf")
    for _ in range(repeats):
        _normalised_article.cache_clear()  # no credit for the per-article cache across repeats
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    _normalised_article.cache_clear()
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak


def main(repeats: int) -> None:
    print(f"{'article chars':>14} {'ground ms':>10} {'time ratio':>11} {'memory ratio':>13}")
    for copies in (1, 4, 16, 64):
        text = "\n\n".join([SEED.text] * copies)
        reference_time, reference_memory = measure(lambda text=text: normalise(text), repeats)
        ground_time, ground_memory = measure(lambda text=text: ground_event(EVENT, text, SEED.published), repeats)
        print(
            f"{len(text):>14,} {ground_time * 1000:>10.1f} {ground_time / reference_time:>11.1f} "
            f"{ground_memory / reference_memory:>13.1f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
