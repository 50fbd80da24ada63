"""The local store: cached answers and records, run logs and provider batches in one SQLite file under
``$SUMMARIZER_HOME``, with private file permissions."""
