"""Prompt templates: text files with a small front-matter header and [system] / [user] sections.

Placeholders are ``{{ name }}``. They are filled in one pass over the *template*, so article
text is inserted as data and never read as a template itself: ``{{ 7*7 }}`` inside an article
reaches the model unchanged. No template engine is involved.

Inserted values are also *data* for the model: they cannot close the ``<article>`` block the
prompt fences them in, start a ``[system]`` / ``[user]`` section, or smuggle the chat-template
control tokens that servers and llama.cpp parse out of plain text (``<|im_start|>``, ``[INST]``,
``</s>``). ``as_data`` writes those as character references (``&lt;/article&gt;``), which a model
reads as quoted text. Grounding still searches the original article.

A prompt has one name, the ``name`` of its header, wherever it is used (``load_prompt``, ``list_prompts``,
`--prompt`); its file name does not matter. Names are looked up in the user's folder (``user_prompts_dir``:
SUMMARIZER_PROMPTS_DIR, else SUMMARIZER_HOME/prompts), then in the packaged prompts; two files of one name in
a folder are an error. ``new_prompt`` writes an editable copy into the user's folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.config.settings import PROMPTS_DIR_VARIABLE, home_dir
from summarizer.errors import PromptError
from summarizer.ingest.frontmatter import FRONT_MATTER, split_front_matter

if TYPE_CHECKING:  # only annotations: `summarizer --help` need not load the article and record models
    from summarizer.ingest.article import Article

PACKAGED_DIR = Path(__file__).parent.parent / "prompts"
# A name `prompts new` accepts: what `--prompt` takes for a name, not for a path (no separator, no .txt).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
PLACEHOLDERS = {"article", "published", "title"}
SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)
# What an inserted value must not contain as such: a tag that opens or closes the data block (any
# spelling: "</ARTICLE >", "<article id=x>", with invisible characters inside or full-width brackets), a
# section header, or a chat-template control token of the common model families.
_HIDDEN = "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*"  # invisible: no visible change
_OPEN, _CLOSE, _LEFT, _RIGHT = "[<\uff1c]", "[>\uff1e]", "[\\[\uff3b]", "[\\]\uff3d]"


def _spelled(word: str) -> str:
    """``word`` with invisible characters allowed between its letters."""
    return _HIDDEN.join(re.escape(letter) for letter in word)


def _tag(word: str) -> str:
    return rf"{_OPEN}{_HIDDEN}\s*/?{_HIDDEN}\s*{_spelled(word)}\b[^<>\uff1c\uff1e]*{_CLOSE}"


def _bracketed(*words: str) -> str:
    names = "|".join(_spelled(word) for word in words)
    return rf"{_LEFT}{_HIDDEN}\s*/?\s*(?:{names}){_HIDDEN}\s*{_RIGHT}"


PROMPT_SYNTAX = re.compile(
    "|".join(
        (
            _tag("article"),  # the data block's own tags
            r"<[|\uff5c][^<>\s]{1,64}?[|\uff5c]>",  # ChatML, Llama 3, Phi, DeepSeek: <|im_start|>, <|eot_id|>
            _tag("start_of_turn"), _tag("end_of_turn"), _tag("bos"), _tag("eos"),  # Gemma
            r"</?s>", r"<<\s*/?\s*SYS\s*>>",  # Llama 2
            _bracketed("INST", "SYSTEM_PROMPT", "TOOL_CALLS", "AVAILABLE_TOOLS", "TOOL_RESULTS"),  # Mistral
            _bracketed("system", "user", "assistant"),  # this project's section headers
        )
    ),
    re.IGNORECASE,
)  # fmt: skip
REFERENCES = str.maketrans(
    {
        "<": "&lt;",
        ">": "&gt;",
        "[": "&#91;",
        "]": "&#93;",
        "\uff1c": "&lt;",
        "\uff1e": "&gt;",
        "\uff3b": "&#91;",
        "\uff3d": "&#93;",
    }
)


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


def user_prompts_dir() -> Path:
    """Where the user's prompts live, searched before the packaged ones and written by ``new_prompt``:
    SUMMARIZER_PROMPTS_DIR if set, else ``prompts`` in the summarizer home (SUMMARIZER_HOME, by default
    ~/.local/share/summarizer)."""
    folder = os.environ.get(PROMPTS_DIR_VARIABLE)
    return Path(folder).expanduser() if folder else home_dir() / "prompts"


def prompt_dirs() -> list[Path]:
    """The folders searched for a prompt by name, first match first: the user's, then the packaged one."""
    return [user_prompts_dir(), PACKAGED_DIR]


def load_prompt(name_or_path: str) -> Prompt:
    """A prompt by the name in its header (searched in ``prompt_dirs()``: the user's folder, then the packaged
    prompts) or by file path (anything ending in .txt or holding a path separator)."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".txt" or os.sep in name_or_path:
        if not candidate.is_file():
            raise PromptError(f"prompt file {name_or_path} not found")
        return _read(candidate)
    for directory in prompt_dirs():
        found = _named(directory, name_or_path)
        if found is not None:
            return found
    names = list(dict.fromkeys(name for directory in prompt_dirs() for _, name in _headers(directory) if name))
    message = f"no prompt named {name_or_path!r}; available: {', '.join(names) or 'none'}"
    for directory in prompt_dirs():
        stem = directory / f"{name_or_path}.txt"
        header = next((name for path, name in _headers(directory) if path == stem), None)
        if header:
            message += f" ({stem} is named {header!r} in its header)"
    raise PromptError(message)


def list_prompts() -> list[Prompt]:
    """One prompt per name, as ``load_prompt`` finds it: a user's prompt hides a packaged one of the same name."""
    seen: dict[str, Prompt] = {}
    for prompt in find_prompts():
        seen.setdefault(prompt.name, prompt)
    return list(seen.values())


def find_prompts() -> list[Prompt]:
    """Every prompt of every folder in search order, hidden ones too; a malformed file or two files of one
    name in a folder is a PromptError."""
    found: list[Prompt] = []
    for directory in prompt_dirs():
        prompts = [_read(path) for path in _files(directory)]
        for prompt in prompts:
            same = [other.path for other in prompts if other.name == prompt.name]
            if len(same) > 1:
                raise _duplicate(prompt.name, same)
        found += prompts
    return found


def new_prompt(name: str, source: str = "default") -> Path:
    """Write an editable copy of the prompt ``source`` (name or path) into ``user_prompts_dir()``, as NAME.txt
    with the header name NAME and version 1; never replaces a file or takes a name the folder already has."""
    if not NAME.fullmatch(name) or name.endswith(".txt"):
        raise PromptError(
            f"{name!r} cannot be a prompt name: use letters, digits and - _ . (no path separator, no .txt)"
        )
    original = load_prompt(source)
    folder = user_prompts_dir()
    taken = _named(folder, name)
    if taken is not None:
        raise PromptError(f"a prompt named {name!r} exists already: {taken.path}; edit it, or choose another name")
    path = folder / f"{name}.txt"
    text = _with_header(
        original.path.read_text(encoding="utf-8"),
        name=name,
        version="1",
        description=f"copy of {original.name} v{original.version} ({original.hash}); say here what you changed",
    )
    parse_prompt(text, path)  # the copy is a valid prompt before it is written
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise PromptError(f"{path} exists and is never replaced: choose another name, or remove it first") from None
    except OSError as exc:
        raise PromptError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def _with_header(text: str, **values: str) -> str:
    """``text`` with these front-matter keys set (every line of each replaced; a missing one added)."""
    match = FRONT_MATTER.match(text)
    if match is None:
        raise PromptError("a prompt starts with a '---' front-matter header (name, version, description)")
    lines, missing = [], dict(values)
    for line in match.group(1).splitlines():
        key = line.partition(":")[0].strip().lower()
        if key in values:
            missing.pop(key, None)
            line = f"{key}: {values[key]}"
        lines.append(line)
    lines += [f"{key}: {value}" for key, value in missing.items()]
    return text[: match.start(1)] + "\n".join(lines) + text[match.end(1) :]


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.txt")) if directory.is_dir() else []


def _headers(directory: Path) -> Iterable[tuple[Path, str | None]]:
    """(file, the name in its header) for each prompt file of ``directory``; None for a file whose header
    cannot be read (``list_prompts`` reports why)."""
    for path in _files(directory):
        try:
            front = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            front = None
        yield path, (front[0].get("name") or None) if front else None


def _named(directory: Path, name: str) -> Prompt | None:
    """The prompt of ``directory`` whose header is named ``name``; two such files are an error."""
    paths = [path for path, header in _headers(directory) if header == name]
    if len(paths) > 1:
        raise _duplicate(name, paths)
    return _read(paths[0]) if paths else None


def _duplicate(name: str, paths: list[Path]) -> PromptError:
    files = " and ".join(str(path) for path in paths)
    return PromptError(f"two prompts are named {name!r}: {files}; change the 'name:' line of one of them")


def _read(path: Path) -> Prompt:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"cannot read prompt {path}: {exc}") from exc
    return parse_prompt(text, path)
