"""Bare names that a chat-only provider serves as the instruct model (pure: no Django).

Issue 14 section 3, "near misses must not merge: Instruct vs base". Some providers
serve only chat models and name them without "instruct": Cerebras' "llama3.1-8b" is
Llama 3.1 8B Instruct, not the base repo meta-llama/Llama-3.1-8B that the name alone
reads as. For such a provider's chat offer, the link goes to the instruct sibling of
the repo the name matches, when the catalog has one:

    served_as_chat("cerebras", "chat") -> True
    instruct_sibling("meta-llama/Llama-3.1-8B", has_repo) -> "meta-llama/Llama-3.1-8B-Instruct"

Never for a completion-mode offer (Together's "meta-llama/Meta-Llama-3.1-8B", mode
completion, is the base model), never for a provider that lists base and instruct
models side by side (Fireworks "llama-v3-8b" next to "llama-v3-8b-instruct-hf",
Replicate "meta/llama-3-8b" next to "meta/llama-3-8b-instruct": the bare name is the
base), and never over a Hub id the feed states (catalog.services.linking.decide).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Provider slugs as the feeds write them (litellm's litellm_provider, models.dev's and
# genai-prices' provider ids; "_" read as "-"), each checked by hand (2026-12-02):
CHAT_ONLY_PROVIDERS: dict[str, str] = {
    # inference-docs.cerebras.ai/models: an OpenAI-style chat completions API; its
    # "llama3.1-8b" / "llama-3.3-70b" are the Meta instruct models (no base models served)
    "cerebras": "Cerebras Inference serves only instruct models under bare names",
    # docs.snowflake.com Cortex COMPLETE: "llama3.1-8b", "llama3.1-405b" ... are Meta's
    # instruction-tuned releases, called with a prompt or a chat history
    "snowflake": "Snowflake Cortex COMPLETE serves Meta's instruct models",
    "snowflake-cortex": "Snowflake Cortex COMPLETE serves Meta's instruct models",
    # console.groq.com/docs/models: "llama3-8b-8192" links meta-llama/Meta-Llama-3-8B-Instruct
    "groq": "GroqCloud model cards link the -Instruct repos",
    # docs.sambanova.ai supported models: chat completions over instruct checkpoints
    "sambanova": "SambaNova Cloud serves instruct checkpoints for chat",
    # llamagate.dev: an OpenAI-compatible chat API; litellm lists every model as mode chat
    "llamagate": "LlamaGate is a chat completions API",
    # models.dev's vercel rows name "meta/llama-3.1-8b" "Llama 3.1 8B Instruct"
    "vercel": "Vercel AI Gateway names meta/llama-3.1-8b 'Llama 3.1 8B Instruct'",
    "vercel-ai-gateway": "Vercel AI Gateway names meta/llama-3.1-8b 'Llama 3.1 8B Instruct'",
    # ollama.com/library/llama3: the default tags (llama3:8b, llama3:70b) are the
    # instruct models; the base ones are the separate "-text" tags
    "ollama": "Ollama library's default tags are the instruct models (base: -text tags)",
    # docs.venice.ai models: a chat completions API; llama-3.1-405b is the instruct model
    "venice": "Venice serves chat models only",
}
# Offer modes that are not chat: a completion-mode offer of a bare name is the base model.
_NOT_CHAT_MODES = frozenset({"completion", "embedding", "rerank", "moderation"})
_TUNED_RE = re.compile(r"(?:^|[-_.])(?:instruct|chat|it)(?:$|[-_.])", re.IGNORECASE)
_SIBLING_SUFFIXES = ("-Instruct", "-it", "-chat")


def provider_slug(provider: str) -> str:
    return provider.strip().lower().replace("_", "-")


def served_as_chat(provider: str, mode: str = "") -> bool:
    """Whether this provider's offer of a bare name is the instruct/chat model: a provider
    of CHAT_ONLY_PROVIDERS and a mode that is chat (or unstated, or "text->text")."""
    if provider_slug(provider) not in CHAT_ONLY_PROVIDERS:
        return False
    return mode.strip().lower() not in _NOT_CHAT_MODES


def instruct_sibling(repo_id: str, repo_of: Callable[[str], str | None]) -> str:
    """The instruct repo of a base repo ("meta-llama/Llama-3.1-8B" ->
    "meta-llama/Llama-3.1-8B-Instruct") when `repo_of(lower-case id)` knows it, else "".
    A repo whose name already says instruct/chat/it is no base: ""."""
    name = repo_id.rsplit("/", 1)[-1]
    if not name or _TUNED_RE.search(name):
        return ""
    for suffix in _SIBLING_SUFFIXES:
        found = repo_of(f"{repo_id}{suffix}".lower())
        if found:
            return found
    return ""
