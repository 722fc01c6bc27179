"""What the demo's and the tests' fake Hub serves from ../shared/hub (nothing is copied
into the project).

- listing/models.json entries without their `_atlas` key; `_atlas.license` becomes
  cardData.license (it *is* the recorded cardData.license of model-info entries);
- for repos with a recorded model-info body (GET /api/models/{repo}, with its
  `safetensors` parameters per dtype and total): its cardData, as the Hub's
  `expand=cardData` listing gives it, and the body itself as model_info;
- configs/<org>--<name>.json as `config.json` (the listing's `config` hint then names
  model_type/architectures, as the Hub's does) and diffusers/<org>--<name>/model_index.json
  (only repos whose file is in ../shared get the hint, so no config fetch ends in a 404);
- repos that only have a config file in ../shared/hub get a minimal listing entry (id,
  author, pipeline tag from their architecture), so their dims reach the catalog.

    models, infos, files = build_models(shared)
    hub = FakeHub(server, models=models, infos=infos, files=files)   # or FakeHub.from_shared
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EMBEDDING_TYPES = {"bert", "mpnet", "xlm-roberta", "nomic_bert", "roberta"}


def _repo(name: str) -> str:
    return name.replace("--", "/", 1)


def _task_for_config(config: dict[str, Any]) -> str:
    model_type = str(config.get("model_type", ""))
    archs = " ".join(config.get("architectures") or [])
    if model_type == "whisper":
        return "automatic-speech-recognition"
    if model_type == "clip":
        return "zero-shot-image-classification"
    if model_type in EMBEDDING_TYPES:
        return "sentence-similarity"
    if "vision_config" in config or "VL" in archs:
        return "image-text-to-text"
    if "Bart" in archs or "T5" in archs:
        return "summarization"
    return "text-generation"


def build_models(shared: Path) -> tuple[list[dict], dict[str, dict], dict[tuple[str, str], bytes]]:
    """(listing entries, model_info bodies, files) for the fake Hub."""
    hub = shared / "hub"
    infos: dict[str, dict] = {}
    for path in sorted((hub / "model-info").glob("*.json")):
        body = json.loads(path.read_text())
        infos[body["id"]] = body
    files: dict[tuple[str, str], bytes] = {}
    configs: dict[str, dict] = {}
    for path in sorted((hub / "configs").glob("*--*.json")):
        repo = _repo(path.stem)
        files[(repo, "config.json")] = path.read_bytes()
        configs[repo] = json.loads(path.read_text())
    diffusers: dict[str, str] = {}
    for index in sorted((hub / "diffusers").glob("*--*/model_index.json")):
        repo = _repo(index.parent.name)
        files[(repo, "model_index.json")] = index.read_bytes()
        diffusers[repo] = json.loads(index.read_text()).get("_class_name", "")

    models: list[dict] = []
    for raw in json.loads((hub / "listing" / "models.json").read_text()):
        atlas = raw.pop("_atlas", {}) or {}
        entry = dict(raw)
        info = infos.get(entry["id"], {})
        card = dict(info.get("cardData") or {})
        if atlas.get("license") and "license" not in card:
            card["license"] = atlas["license"]
        if card:
            entry["cardData"] = card
        models.append(entry)
    known = {m["id"] for m in models}
    for repo, config in configs.items():
        if repo not in known:
            models.append(
                {
                    "id": repo,
                    "modelId": repo,
                    "author": repo.split("/", 1)[0],
                    "pipeline_tag": _task_for_config(config),
                    "library_name": "transformers",
                }
            )
    models.extend(
        {
            "id": repo,
            "modelId": repo,
            "author": repo.split("/", 1)[0],
            "pipeline_tag": "text-to-image",
            "library_name": "diffusers",
        }
        for repo in diffusers
        if repo not in known
    )
    for entry in models:
        repo = entry["id"]
        if repo in configs:
            config = configs[repo]
            entry["config"] = {
                "architectures": config.get("architectures") or [],
                "model_type": config.get("model_type", ""),
            }
        elif repo in diffusers:
            entry["config"] = {"diffusers": {"_class_name": diffusers[repo]}}
    return models, infos, files
