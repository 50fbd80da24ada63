"""The command line: one module per command group (``root`` holds the root group ``main`` and ``summarize``;
``batch``, ``eval``, ``logs``, ``merge`` and ``prompts`` the others), with the shared options, settings and error
handling in ``kit``; ``merge_eval`` is a developer's command of its own (``python -m summarizer.cli.merge_eval``).

One lazy-loading mechanism: ``root.LazyGroup`` imports a group's module when one of its commands runs, shows its
help or completes, so that `summarizer --help` imports no model code. ``root`` and ``kit``, which `--help`
imports, import what only a run needs inside the function that uses it; the group modules import at module level.
``main`` is the console script (``summarizer.cli:main``, as in every install since the first).
"""

from summarizer.cli.root import main as main
