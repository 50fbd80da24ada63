"""Prompt templates: text files with a small front-matter header and [system] / [user] sections.

Placeholders are ``{{ name }}``. They are filled in one pass over the *template*, so article
text is inserted as data and never read as a template itself: ``{{ 7*7 }}`` inside an article
reaches the model unchanged. No template engine is involved.

Inserted values are also *data* for the model: they cannot close the ``<article>`` block the
prompt fences them in, start a ``[system]`` / ``[user]`` section, or smuggle the chat-template
control tokens that servers and llama.cpp parse out of plain text (``<|im_start|>``, ``[INST]``,
``</s>``). ``as_data`` writes those as character references (``&lt;/article&gt;``), which a model
reads as quoted text. Grounding still searches the original article.
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
# What an inserted value must not contain as such: a tag that opens or closes the data block (any
# spelling: "</ARTICLE >", "<article id=x>"), a section header, or a chat-template control token.
PROMPT_SYNTAX = re.compile(
    r"<\s*/?\s*article\b[^<>]*>"  # the data block's own tags
    r"|<[|\uff5c][^<>\s]{1,64}?[|\uff5c]>"  # ChatML / Llama 3 / DeepSeek tokens: <|im_start|>, <|eot_id|>
    r"|</?s>|<<\s*/?\s*SYS\s*>>|\[\s*/?\s*INST\s*\]"  # Llama 2 / Mistral markers
    r"|\[\s*(?:system|user|assistant)\s*\]",  # this project's section headers
    re.IGNORECASE,
)
REFERENCES = str.maketrans({"<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;"})


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
            "article": as_data(article.text),
            "published": article.published.isoformat() if article.published else "unknown",
            # One line: a newline in a title could otherwise start a line of its own ("Publication date: ...").
            "title": as_data(" ".join(article.title.split())) if article.title else "(none)",
        }
        return [
            {"role": "system", "content": fill(self.system, values)},
            {"role": "user", "content": fill(self.user, values)},
        ]


def as_data(text: str) -> str:
    """``text`` with every piece of prompt syntax (see ``PROMPT_SYNTAX``) written as character references."""
    return PROMPT_SYNTAX.sub(lambda match: match.group().translate(REFERENCES), text)


def shows_escaped(article: Article) -> bool:
    """Whether the prompt shows this article's text or title other than as written (an answer-cache key part)."""
    return any(PROMPT_SYNTAX.search(text) for text in (article.text, article.title or ""))


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
