"""Running many articles: the concurrent, resumable runner, and provider batch APIs (OpenAI ``/v1/batches``)."""
