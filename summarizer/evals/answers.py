"""A model's stored answers to the fixtures, as a file: an eval (and a trust profile) any machine can replay.

``eval --save-answers FILE`` writes, for each case run, the answer the store holds for it (the model's candidate
events, tokens, calls, latency) under the same cache key the pipeline computes; ``eval --answers FILE`` puts
them back into the store before the run, so the run asks the model only for what the file does not hold. A
slow model (the bundled one takes minutes an article on two cores) is then run once, and the profile and
baseline made from its answers are refreshed in seconds whenever the reader or grounding changes. An answer
is served only under its own key (backend, model, prompt, tool schema, parameters, grounding version,
article), so a file from another setup is simply not used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigError
from summarizer.evals.fixtures import Case
from summarizer.pipeline import Summarizer
from summarizer.record.basetypes import Usage

FORMAT = "summarizer-answers/1"


def save_answers(summarizer: Summarizer, cases: list[Case], path: Path) -> int:
    """Write the stored answers of ``cases`` (repeat 0) to ``path``; the number written."""
    lines = []
    for case in cases:
        article = summarizer.fit(case.article)
        key = summarizer.answer_key(article, 0)
        stored = summarizer.store.cached_answer(key)
        if stored is None or stored["answer"] is None:
            continue
        lines.append(
            {
                "format": FORMAT,
                "case": case.name,
                "key": key,
                "identity": summarizer.identity(article, 0),
                **{k: stored[k] for k in ("answer", "latency_s", "prompt_tokens", "completion_tokens", "calls")},
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def load_answers(summarizer: Summarizer, path: Path) -> int:
    """Store every answer of ``path`` the store does not hold yet; the number added."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--answers {path}: cannot read it ({exc})") from exc
    added = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        line = _line(raw, path, number)
        if summarizer.store.cached_answer(line["key"]) is not None:
            continue
        summarizer.store.log_answer(
            line["key"],
            identity=line["identity"],
            answer=line["answer"],
            error=None,
            latency_s=float(line.get("latency_s") or 0.0),
            usage=Usage(
                prompt_tokens=int(line.get("prompt_tokens") or 0),
                completion_tokens=int(line.get("completion_tokens") or 0),
            ),
            calls=int(line.get("calls") or 0),
        )
        added += 1
    return added


def _line(raw: str, path: Path, number: int) -> dict[str, Any]:
    try:
        line = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--answers {path}:{number}: not JSON ({exc.msg})") from exc
    if not isinstance(line, dict) or line.get("format") != FORMAT:
        raise ConfigError(f"--answers {path}:{number}: not a line of {FORMAT} (written by eval --save-answers)")
    if not isinstance(line.get("key"), str) or not isinstance(line.get("identity"), dict):
        raise ConfigError(f"--answers {path}:{number}: no cache key or identity")
    answer = line.get("answer")
    if not isinstance(answer, dict) or not isinstance(answer.get("candidates"), list):
        raise ConfigError(f"--answers {path}:{number}: no candidate events")
    return line
