"""The Jinja2 environment the HTML pages render through: templates are package data, and every value a
template prints is HTML-escaped (autoescape), so article text and model output can only ever be text.

Untrusted text is passed to a template as a variable, never made into one (no ``from_string`` on data). A
package above ``output`` (the eval report) names its own package: its templates are looked up first, then
these (the page frame and the highlighter).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

OUTPUT = "summarizer.output"


@cache
def environment(package: str = OUTPUT) -> Environment:
    """The templates of ``package`` (its ``templates/`` folder), then the output package's."""
    packages = dict.fromkeys((package, OUTPUT))  # in order, once
    return Environment(
        loader=ChoiceLoader([PackageLoader(name, "templates") for name in packages]),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name fails the render instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, package: str = OUTPUT, **context: Any) -> str:
    """``template`` (a file in ``package``'s templates) rendered with ``context``."""
    return environment(package).get_template(template).render(**context)
