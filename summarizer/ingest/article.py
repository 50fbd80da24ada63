"""The ``Article`` every later stage reads, the ``LoadFailure`` a loader yields instead of raising, and fitting an
article to a model's context."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from summarizer.errors import ArticleError

if TYPE_CHECKING:
    from summarizer.record.basetypes import ArticleMeta


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    source: str
    published: date | None = None
    title: str | None = None
    url: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def meta(self) -> ArticleMeta:
        from summarizer.record.basetypes import ArticleMeta  # pydantic: imported when a record is made, not by `--help`

        return ArticleMeta(
            id=self.id,
            source=self.source,
            title=self.title,
            published=self.published,
            url=self.url,
            sha256=self.sha256,
            chars=len(self.text),
        )


@dataclass(frozen=True)
class LoadFailure:
    source: str
    message: str


def fit_to_budget(article: Article, max_chars: int, *, truncate: bool) -> Article:
    """Refuse (default) or truncate, with a warning, an article longer than the model can read."""
    if len(article.text) <= max_chars:
        return article
    if not truncate:
        raise ArticleError(
            f"{article.source}: {len(article.text):,} characters is more than this model's context allows "
            f"(about {max_chars:,}); use --truncate to summarise the first part, or a model with a longer context"
        )
    cut = article.text.rfind("\n", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    note = f"article truncated to its first {cut:,} of {len(article.text):,} characters to fit the model's context"
    return replace(article, text=article.text[:cut].rstrip(), warnings=(*article.warnings, note))
