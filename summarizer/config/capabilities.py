"""What each kind of backend can do, declared once: the code asks these capabilities, never a backend's name.

``BackendInfo`` describes a kind of backend the way simonw/llm's ``Model`` attributes describe a model: its
context window (set here, or by the server), whether it runs one request at a time, whether it has a provider
batch API, how its calls are priced, whether it needs an endpoint (an API key or a base URL) or runs the
model installed with the package. ``backend_info`` looks a kind up by name, also for names read back from
stored runs and logs; a name not registered (a test's fake, the eval's oracle unless it registers) gets a
neutral description that claims nothing. The implementations of the selectable kinds (``BACKENDS``) live in
``summarizer.model.backends``; this module imports no model code, so settings, ``--help`` and stored-log readers
can ask it cheaply (it imports only ``config.installed``). A kind registered later (the oracle, when
``summarizer.evals.oracle`` is imported) is known from then on.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.config.installed import BUNDLED_MODEL_FILE


@dataclass(frozen=True)
class BackendInfo:
    name: str
    summary: str = ""  # what it is, for --backend's help
    # The context window is n_ctx, set here, and the answer budget already fills it (a cut-off answer is asked
    # to be shorter); otherwise the server sets it (a cut-off answer is given twice the tokens).
    fixed_context: bool = False
    context_chars: int | None = None  # article characters read whatever the settings; None: from n_ctx
    one_at_a_time: bool = False  # serves one request at a time: parallel jobs overlap only the rest of the work
    provider_batch: bool = False  # has a provider batch API (`summarizer batch`)
    price_provider: str | None = None  # genai-prices' provider whose price table prices its calls
    free: bool = False  # its calls cost nothing (the model runs in this process)
    needs_endpoint: bool = False  # needs an API key or a base URL
    embedded_model: bool = False  # runs a model file in process: the bundled one unless --model-path names one
    default_model: str | None = None  # the model's name when none is given

    @property
    def priced(self) -> bool:
        """Its calls have a price table (a server at another base URL may still not be priced)."""
        return self.price_provider is not None


LOCAL = BackendInfo(
    "local",
    "embedded llama.cpp",
    fixed_context=True,
    one_at_a_time=True,
    free=True,
    embedded_model=True,
    default_model=BUNDLED_MODEL_FILE,
)
OPENAI = BackendInfo(
    "openai",
    "OpenAI-compatible server",
    context_chars=200_000,
    provider_batch=True,
    price_provider="openai",
    needs_endpoint=True,
    default_model="gpt-4o-mini",
)

_KINDS: dict[str, BackendInfo] = {info.name: info for info in (LOCAL, OPENAI)}
BACKENDS: tuple[str, ...] = tuple(_KINDS)  # the kinds --backend can choose (summarizer.model.backends builds them)
DEFAULT_BACKEND = LOCAL.name  # with no API key and no base URL: works offline
ENDPOINT_BACKEND = OPENAI.name  # what an API key or a base URL implies
BATCH_BACKEND = next(info.name for info in _KINDS.values() if info.provider_batch)


def backend_info(name: str | None) -> BackendInfo:
    """The registered description of the backend kind ``name``; a neutral one (no capability) for another name."""
    if name is not None and name in _KINDS:
        return _KINDS[name]
    return BackendInfo(name or "")


def registered(name: str | None) -> bool:
    return name is not None and name in _KINDS


def register_backend(info: BackendInfo) -> BackendInfo:
    """Describe another kind of backend (e.g. the eval's oracle); it is not selectable by --backend. A shipped
    kind cannot be redescribed."""
    if info.name in BACKENDS:
        raise ValueError(f"backend {info.name!r} is already described")
    _KINDS[info.name] = info
    return info
