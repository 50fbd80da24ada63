"""Asking a model: the prompt template, the strict tool call and its re-asks, and the backends (OpenAI or
any compatible server, the embedded llama.cpp model) with their retry policy and circuit breaker."""
