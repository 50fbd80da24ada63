"""The command line: one module per command group (``main`` holds the root group and ``summarize``; ``batch``,
``eval``, ``logs``, ``merge`` and ``prompts`` the others), with the shared options, settings and error handling in
``kit``; ``merge_eval`` is a developer's command of its own (``python -m summarizer.cli.merge_eval``).

One lazy-loading mechanism: ``main.LazyGroup`` imports a group's module when one of its commands runs, shows its
help or completes, so that `summarizer --help` imports no model code. ``main`` and ``kit``, which `--help`
imports, import what only a run needs inside the function that uses it; the group modules import at module level.
"""
