"""Getting articles in: input sources (files, folders, globs, JSONL, URLs), HTML to main text, front matter,
and the ``Article`` every later stage reads."""
