"""The eval harness: load hand-labelled fixtures, run them through the summarize pipeline, score, report, gate."""
