"""What a user sees: record formats (JSON, JSONL, Markdown), the output file written safely, the terminal,
HTML and table views, and the progress line."""
