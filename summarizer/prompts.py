"""Prompt templates: text files with a small front-matter header and [system] / [user] sections.

Placeholders are ``{{ name }}``. They are filled in one pass over the *template*, so article
text is inserted as data and never read as a template itself: ``{{ 7*7 }}`` inside an article
reaches the model unchanged. No template engine is involved.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from summarizer.articles import Article
from summarizer.errors import PromptError
from summarizer.frontmatter import split_front_matter

PACKAGED_DIR = Path(__file__).parent / "prompts"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
PLACEHOLDERS = {"article", "published", "title"}
SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    description: str
    system: str
    user: str
    hash: str
    path: Path

    def render(self, article: Article) -> list[dict[str, str]]:
        """Chat messages for one article; static instructions first so the KV cache prefix is shared."""
        values = {
            "article": article.text,
            "published": article.published.isoformat() if article.published else "unknown",
            "title": article.title or "(none)",
        }
        return [
            {"role": "system", "content": fill(self.system, values)},
            {"role": "user", "content": fill(self.user, values)},
        ]


def fill(template: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def parse_prompt(text: str, path: Path) -> Prompt:
    front = split_front_matter(text)
    if not front:
        raise PromptError(f"{path}: a prompt starts with a '---' front-matter header (name, version, description)")
    header, body = front
    for key in ("name", "version"):
        if not header.get(key):
            raise PromptError(f"{path}: front matter lacks '{key}'")
    parts = SECTION.split(body)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if "user" not in sections:
        raise PromptError(f"{path}: no [user] section")
    for section in sections.values():
        unknown = {m.group(1) for m in PLACEHOLDER.finditer(section)} - PLACEHOLDERS
        if unknown:
            raise PromptError(
                f"{path}: unknown placeholder(s) {', '.join(sorted(unknown))}; known: {sorted(PLACEHOLDERS)}"
            )
    if "{{" not in sections["user"] or "article" not in {m.group(1) for m in PLACEHOLDER.finditer(sections["user"])}:
        raise PromptError(f"{path}: the [user] section must contain {{{{ article }}}}")
    return Prompt(
        name=header["name"],
        version=header["version"],
        description=header.get("description", ""),
        system=sections.get("system", ""),
        user=sections["user"],
        hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        path=path,
    )


def prompt_dirs() -> list[Path]:
    extra = os.environ.get("SUMMARIZER_PROMPTS_DIR")
    return ([Path(extra)] if extra else []) + [PACKAGED_DIR]


def load_prompt(name_or_path: str) -> Prompt:
    """A prompt by name (searched in SUMMARIZER_PROMPTS_DIR, then the packaged prompts) or by file path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".txt" or os.sep in name_or_path:
        if not candidate.is_file():
            raise PromptError(f"prompt file {name_or_path} not found")
        return _read(candidate)
    for directory in prompt_dirs():
        path = directory / f"{name_or_path}.txt"
        if path.is_file():
            return _read(path)
    names = ", ".join(p.name for p in list_prompts()) or "none"
    raise PromptError(f"no prompt named {name_or_path!r}; available: {names}")


def list_prompts() -> list[Prompt]:
    seen: dict[str, Prompt] = {}
    for directory in prompt_dirs():
        for path in sorted(directory.glob("*.txt")):
            prompt = _read(path)
            seen.setdefault(prompt.name, prompt)
    return list(seen.values())


def _read(path: Path) -> Prompt:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"cannot read prompt {path}: {exc}") from exc
    return parse_prompt(text, path)
