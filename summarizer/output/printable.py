"""Text from outside (file names, server messages) made safe to show as one line on a terminal.

A file name may hold a newline, an escape sequence or a direction override: printed as it is, it breaks the
progress line, colours or rewrites the terminal, or shows another name. ``printable`` writes each such
character as an escape (``\\n``, ``\\x1b``, ``\\u202e``); everything else is left as it is.
"""

from __future__ import annotations

import re

# C0 and C1 controls (newline, escape, CSI...), the line and paragraph separators, and the bidirectional
# marks, embeddings, overrides and isolates (which can make a name read as another)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control, separator and direction character written as an escape."""
    return _UNPRINTABLE.sub(lambda match: _escape(match.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
