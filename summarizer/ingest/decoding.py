"""Bytes to text: a known binary format refused by its first bytes, byte order marks and encodings read
leniently where the text is still readable (and said so), and the size cap every document is read under."""

from __future__ import annotations

import re

from summarizer.errors import ArticleError

MAX_FILE_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 8192  # the head that the binary check and format sniffing look at
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
WIDE_BOMS = UTF32_BOMS + UTF16_BOMS  # text full of NUL bytes, read whole (never as binary)


PDF = "a PDF document"
# Formats that are not text, by their first bytes: some (a PDF of plain streams, RTF) pass the binary test.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"{\\rtf", "an RTF document"),
    (b"PK\x03\x04", "a zip archive (or .docx, .odt, .epub)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip file"),
)


def binary_format(raw: bytes) -> str | None:
    """The known non-text format ``raw`` starts with ("a PDF document"), else None."""
    head = raw[:16].lstrip(b" \t\r\n")
    return next((name for magic, name in MAGIC if head.startswith(magic)), None)


def decode_bytes(raw: bytes, source: str) -> tuple[str, list[str]]:
    """Decode article bytes; refuse binary data, decode leniently and say so otherwise.

    A byte order mark decides UTF-32 or UTF-16 (UTF-32's is tried first: its little-endian mark starts with
    UTF-16's). Text that is not valid UTF-8 is read as UTF-8 with the bad bytes replaced, and a warning naming
    their offsets, when it is mostly UTF-8 (its other non-ASCII letters decode); else as Windows-1252; else
    with replacement characters, when they are few.
    """
    warnings: list[str] = []
    for boms, codec in ((UTF32_BOMS, "utf-32"), (UTF16_BOMS, "utf-16")):
        if raw.startswith(boms):
            try:
                return raw.decode(codec), warnings
            except UnicodeDecodeError as exc:
                name = codec.upper()
                raise ArticleError(f"{source}: looks like {name} but does not decode ({exc.reason})") from exc
    if looks_binary(raw):
        raise ArticleError(f"{source}: binary content, not text (is this the right file?)")
    try:
        return raw.decode("utf-8-sig"), warnings
    except UnicodeDecodeError:
        pass
    text, offsets = _utf8_replacing(raw)
    decoded = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    if decoded >= len(offsets):  # mostly UTF-8: a stray byte, not another encoding
        warnings.append(_replaced(offsets))
        return text, warnings
    try:
        windows = raw.decode("cp1252")
        warnings.append("not valid UTF-8; decoded as Windows-1252 (check accented characters)")
        return windows, warnings
    except UnicodeDecodeError:
        pass
    bad = len(offsets)
    if bad > max(3, len(text) // 100):
        raise ArticleError(f"{source}: cannot decode the text ({bad} undecodable characters); save it as UTF-8")
    warnings.append(_replaced(offsets))
    return text, warnings


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # what the "surrogateescape" error handler makes of a bad byte


def _utf8_replacing(raw: bytes) -> tuple[str, list[int]]:
    """``raw`` as UTF-8 (after a byte order mark), each byte that does not decode replaced by U+FFFD, and the
    offsets of those bytes in ``raw``."""
    start = len(UTF8_BOM) if raw.startswith(UTF8_BOM) else 0
    escaped = raw[start:].decode("utf-8", "surrogateescape")
    offsets: list[int] = []
    offset, last = start, 0
    for match in _ESCAPED_BYTE.finditer(escaped):
        offset += len(escaped[last : match.start()].encode("utf-8"))
        offsets.append(offset)
        offset, last = offset + 1, match.end()
    return _ESCAPED_BYTE.sub("\ufffd", escaped), offsets


def _replaced(offsets: list[int], shown: int = 5) -> str:
    """The warning for bytes replaced by U+FFFD, naming where they were."""
    where = ", ".join(str(offset) for offset in offsets[:shown])
    more = f" and {len(offsets) - shown} more" if len(offsets) > shown else ""
    at = "at byte offset" if len(offsets) == 1 else "at byte offsets"
    return f"not valid UTF-8: {len(offsets)} undecodable byte(s) replaced with U+FFFD ({at} {where}{more})"


def looks_binary(raw: bytes) -> bool:
    """The binary test ``decode_bytes`` applies (after UTF-32 and UTF-16, whose encodings are full of NUL bytes):
    a NUL byte anywhere in ``raw``, or over 5% control bytes in its first 8 KB."""
    return b"\x00" in raw or _control_share(raw[:SNIFF_BYTES]) > 0.05


CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))


def _control_share(raw: bytes) -> float:
    if not raw:
        return 0.0
    return (len(raw) - len(raw.translate(None, CONTROL_BYTES))) / len(raw)


def too_large(source: str, what: str = "") -> str:
    subject = f"{source}: {what} " if what else f"{source}: "
    return f"{subject}larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not an article"
