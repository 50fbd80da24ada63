"""Model answers the tests queue (a test kit, not part of the package): one drone strike, grounded in

    "Overnight, Russia launched 12 drones at {city}. At least 3 people were injured ..."

Grounding drops from it whatever another text lacks. Tests import it as ``answers_kit`` (pytest puts tests/ on
``sys.path``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

INJURED = {
    "evidence": "At least 3 people were injured",
    "phrase": "At least 3",
    "value": 3,
    "low": 3,
    "qualifier": "at_least",
}


def drone_answer(city: str = "Odesa", *, leave_out: Collection[str] = (), **changes: Any) -> dict[str, Any]:
    """The answer for the drone strike on ``city``: type, title, summary, "Overnight", the city and at least 3
    injured; ``changes`` replace or add fields, the fields named in ``leave_out`` are not in it at all."""
    answer = {
        "event_type": "drone_strike",
        "title": f"Drone attack on {city}",
        "summary": f"Russia launched drones at {city} overnight.",
        "when": {"evidence": "Overnight", "phrase": "Overnight"},
        "places": [{"evidence": f"launched 12 drones at {city}", "name": city, "kind": "city"}],
        "casualties": {"injured": dict(INJURED)},
        **changes,
    }
    return {name: value for name, value in answer.items() if name not in leave_out}
