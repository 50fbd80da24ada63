"""The command line: one module per command group (``main`` holds the root group and ``summarize``), with the
shared options, settings and error handling in ``kit``."""
