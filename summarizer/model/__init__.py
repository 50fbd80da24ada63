"""Asking a model: the prompt template and the strict tool call (``prompts``, ``extract``); in ``backends/``, how
a request reaches a model: OpenAI or any compatible server, the embedded llama.cpp model, the retry policy and the
circuit breaker (code that never changes what a record says, left out of the record's code version)."""
