"""summarizer: news articles -> strict, source-grounded event records, with an eval harness."""

__version__ = "0.1.0"
