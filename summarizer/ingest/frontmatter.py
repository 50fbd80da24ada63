"""The small ``---``-delimited ``key: value`` header that prompts and Markdown articles may start with."""

from __future__ import annotations

import re

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, str], str] | None:
    """(header with lower-cased keys and unquoted values, body), or None when there is no header."""
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    header: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            header[key.strip().lower()] = value.strip().strip("\"'")
    return header, text[match.end() :]
