"""Reviewed data: sizes that names imply, and the dims of gated families (pure).

NAME_SHAPES: published parameter counts (model cards / Hub pages, rounded as published)
of architectures whose repo names carry a size word instead of a number ("bert-base",
"t5-small", "whisper-large", "resnet-50"). Matched on the lowercased repo name, first
match wins, so specific rows come first. A count found here is stored as "from name,
approximate": a fine-tune with a new head or vocabulary differs by a little.

MOE_EXPERT_SHAPES: "<N>x<M>B" mixtures whose expert shape is known: the dense model
size, one expert's FFN across all layers, experts per token. Mixtral-8x7B =
7.24B + 7 × 5.64B = 46.7B total, 7.24B + 5.64B = 12.9B active (Mistral's announcement:
46.7B / 12.9B); 8x22B = 22.25B + 7 × 16.91B = 140.6B / 39.2B (141B / 39B announced).

FAMILY_CONFIGS: the config.json values (architecture only) of families whose Hub repos
are gated (no config.json without an accepted licence): a fine-tune or quantization
of one of them whose own config and base model are unavailable gets these dims,
labelled "family". Values from the publishers' config.json files (Llama 2/3/3.1/3.2/
3.3, Mistral 7B v0.1-v0.3, Gemma 1/2/3) as mirrored by ungated copies.
"""

from __future__ import annotations

import re

M, B = 10**6, 10**9


def _name(core: str) -> re.Pattern[str]:
    return re.compile(rf"(^|[-_.]){core}([-_.]|$)")


_SHAPES: list[tuple[str, float, float | None, str]] = [
    # LLMs whose names carry no number, or a rounded one
    (r"gpt-oss-120b", 116.83 * B, 5.71 * B, "gpt-oss-120b (card: 116.83B)"),
    (r"gpt-oss-20b", 20.91 * B, 4.19 * B, "gpt-oss-20b (card: 20.91B)"),
    (r"deepseek-(v3|r1)(-\d{4})?$", 684.5 * B, 37.6 * B, "DeepSeek-V3 shape (671B + 14B MTP)"),
    (r"kimi-k2", 1026.4 * B, 32.9 * B, "Kimi-K2 shape (1T)"),
    (r"phi-3\.5-moe", 41.9 * B, 6.6 * B, "Phi-3.5-MoE (card: 41.9B / 6.6B)"),
    (r"phi-(3|3\.5|4)-mini", 3.8 * B, None, "Phi-3/4-mini (card: 3.8B)"),
    (r"phi-3-small", 7.4 * B, None, "Phi-3-small (card: 7B)"),
    (r"phi-3-medium", 14 * B, None, "Phi-3-medium (card: 14B)"),
    (r"phi-4", 14.7 * B, None, "Phi-4 (card: 14.7B)"),
    (r"phi-2", 2.7 * B, None, "Phi-2 (card: 2.7B)"),
    (r"phi-1[._]5", 1.4 * B, None, "Phi-1.5 (card: 1.3B)"),
    (r"tinyllama", 1.1 * B, None, "TinyLlama 1.1B"),
    (r"distilgpt2", 82 * M, None, "DistilGPT2 (82M)"),
    (r"gpt2-xl", 1.56 * B, None, "GPT-2 XL (1.5B)"),
    (r"gpt2-large", 774 * M, None, "GPT-2 large (774M)"),
    (r"gpt2-medium", 355 * M, None, "GPT-2 medium (355M)"),
    (r"^gpt2$", 124 * M, None, "GPT-2 (124M)"),
    (r"dialogpt-small", 124 * M, None, "DialoGPT small (GPT-2, 124M)"),
    (r"dialogpt-medium", 355 * M, None, "DialoGPT medium (355M)"),
    (r"dialogpt-large", 774 * M, None, "DialoGPT large (774M)"),
    (r"^openai-gpt$", 117 * M, None, "GPT (117M)"),
    (r"gpt2-chinese-cluecorpussmall", 102 * M, None, "GPT-2 small, Chinese vocabulary (102M)"),
    (r"kogpt2-base", 125 * M, None, "KoGPT2 base (125M)"),
    (r"rugpt3large", 760 * M, None, "ruGPT-3 large (760M)"),
    (r"rugpt3medium", 355 * M, None, "ruGPT-3 medium (355M)"),
    (r"xlnet-base", 117 * M, None, "XLNet base (117M)"),
    (r"xlnet-large", 360 * M, None, "XLNet large (360M)"),
    # encoders
    (r"distilbert-base-multilingual", 135 * M, None, "DistilmBERT (135M)"),
    (r"distilbert", 66 * M, None, "DistilBERT (66M)"),
    (r"distilroberta", 82 * M, None, "DistilRoBERTa (82M)"),
    (r"paraphrase-multilingual-minilm-l12", 118 * M, None, "multilingual MiniLM-L12 (118M)"),
    (r"paraphrase-multilingual-mpnet-base", 278 * M, None, "multilingual MPNet (278M)"),
    (r"minilm-l-?12", 33 * M, None, "MiniLM-L12-H384 (33M)"),
    (r"minilm-l-?6", 22.7 * M, None, "MiniLM-L6-H384 (22.7M)"),
    (r"minilm-l-?3", 17.4 * M, None, "MiniLM-L3-H384 (17.4M)"),
    (r"tinybert-l-?2", 4.4 * M, None, "TinyBERT-L2 (4.4M)"),
    (r"mpnet-base", 110 * M, None, "MPNet base (110M)"),
    (r"xlm-roberta-large", 560 * M, None, "XLM-R large (560M)"),
    (r"xlm-r(oberta)?-(base|multilingual)", 278 * M, None, "XLM-R base (278M)"),
    (r"roberta-large", 355 * M, None, "RoBERTa large (355M)"),
    (r"roberta-base", 125 * M, None, "RoBERTa base (125M)"),
    (r"bert-base-multilingual", 178 * M, None, "mBERT (178M)"),
    (r"bert-base-chinese", 102 * M, None, "BERT base Chinese (102M)"),
    (r"bert-large", 335 * M, None, "BERT large (335M)"),
    (r"bert-base", 110 * M, None, "BERT base (110M)"),
    (r"bert-medium", 41 * M, None, "BERT medium (41M)"),
    (r"bert-small", 29 * M, None, "BERT small (29M)"),
    (r"bert-mini", 11 * M, None, "BERT mini (11M)"),
    (r"bert-tiny", 4.4 * M, None, "BERT tiny (4.4M)"),
    (r"distilcamembert-base", 68 * M, None, "DistilCamemBERT (68M)"),
    (r"camembert-(base|ner)", 110 * M, None, "CamemBERT base (110M)"),
    (r"rubert-tiny", 11.8 * M, None, "ruBERT tiny (11.8M)"),
    (r"rubert-base", 178 * M, None, "ruBERT base (178M)"),
    (r"chinese-(mac)?(bert|roberta)-(wwm-ext|base)", 102 * M, None, "Chinese BERT base (102M)"),
    (r"codebert-base", 125 * M, None, "CodeBERT (RoBERTa base, 125M)"),
    (r"bertweet-base", 135 * M, None, "BERTweet base (135M)"),
    (r"herbert-base", 124 * M, None, "HerBERT base (124M)"),
    (r"emoroberta", 125 * M, None, "RoBERTa base (125M)"),
    (r"tinyroberta", 82 * M, None, "TinyRoBERTa (82M)"),
    (r"minilm-uncased", 33 * M, None, "MiniLM-L12-H384 (33M)"),
    (
        r"biobert|bio[-_]discharge[-_]summary[-_]bert|bioredditbert|finbert|specter|gelectra-base",
        110 * M,
        None,
        "BERT base shape (110M)",
    ),
    (r"gbert-large|covid-twitter-bert", 335 * M, None, "BERT large shape (335M)"),
    (r"dpr-(question|ctx)[-_]encoder", 110 * M, None, "DPR encoder (BERT base, 110M)"),
    (r"tapas-base", 111 * M, None, "TAPAS base (111M)"),
    (r"albert-xxlarge", 223 * M, None, "ALBERT xxlarge (223M)"),
    (r"albert-xlarge", 59 * M, None, "ALBERT xlarge (59M)"),
    (r"albert-large", 18 * M, None, "ALBERT large (18M)"),
    (r"albert-base", 12 * M, None, "ALBERT base (12M)"),
    (r"mdeberta-v3-base", 279 * M, None, "mDeBERTa-v3 base (279M)"),
    (r"deberta-v3-large", 435 * M, None, "DeBERTa-v3 large (435M)"),
    (r"deberta-v3-base", 184 * M, None, "DeBERTa-v3 base (184M)"),
    (r"deberta-v3-small", 141 * M, None, "DeBERTa-v3 small (141M)"),
    (r"deberta-large", 406 * M, None, "DeBERTa large (406M)"),
    (r"deberta-base", 139 * M, None, "DeBERTa base (139M)"),
    (r"electra-large", 335 * M, None, "ELECTRA large (335M)"),
    (r"electra-base", 110 * M, None, "ELECTRA base (110M)"),
    (r"electra-small", 14 * M, None, "ELECTRA small (14M)"),
    (r"longformer-large", 435 * M, None, "Longformer large (435M)"),
    (r"longformer-base", 149 * M, None, "Longformer base (149M)"),
    (r"labse", 471 * M, None, "LaBSE (471M)"),
    (r"distiluse-base-multilingual", 135 * M, None, "DistilmBERT sentence encoder (135M)"),
    (r"mobilebert", 25 * M, None, "MobileBERT (25M)"),
    (r"squeezebert", 51 * M, None, "SqueezeBERT (51M)"),
    # sequence to sequence
    (r"flan-t5-small|t5-v1[._]1-small", 77 * M, None, "T5 v1.1 small (77M)"),
    (r"flan-t5-base|t5-v1[._]1-base", 248 * M, None, "T5 v1.1 base (248M)"),
    (r"flan-t5-large|t5-v1[._]1-large", 783 * M, None, "T5 v1.1 large (783M)"),
    (r"flan-t5-xxl|t5-v1[._]1-xxl", 11.3 * B, None, "T5 v1.1 XXL (11.3B)"),
    (r"flan-t5-xl|t5-v1[._]1-xl", 2.85 * B, None, "T5 v1.1 XL (2.85B)"),
    (r"mt5-small", 300 * M, None, "mT5 small (300M)"),
    (r"mt5-base", 580 * M, None, "mT5 base (580M)"),
    (r"mt5-large", 1.2 * B, None, "mT5 large (1.2B)"),
    (r"mt5[-_]multilingual", 580 * M, None, "mT5 base (580M)"),
    (r"t5[-_]xl", 2.85 * B, None, "T5 XL (2.85B)"),
    (r"t5[-_]small", 60 * M, None, "T5 small (60M)"),
    (r"t5-base", 220 * M, None, "T5 base (220M)"),
    (r"t5-large", 738 * M, None, "T5 large (738M)"),
    (r"^t0$|^t0pp$", 11 * B, None, "T0 (11B)"),
    (r"distilbart-(cnn|xsum)-12-6", 306 * M, None, "DistilBART 12-6 (306M)"),
    (r"distilbart-cnn-6-6", 230 * M, None, "DistilBART 6-6 (230M)"),
    (r"mbart-large", 610 * M, None, "mBART large (610M)"),
    (r"bart-large", 406 * M, None, "BART large (406M)"),
    (r"bart-base", 139 * M, None, "BART base (139M)"),
    (r"bigbird-pegasus-large", 577 * M, None, "BigBird-Pegasus large (577M)"),
    (r"pegasus", 568 * M, None, "Pegasus large (568M)"),
    (r"opus-mt", 75 * M, None, "MarianMT opus-mt (~75M)"),
    (r"led-base", 162 * M, None, "LED base (162M)"),
    (r"led-large", 460 * M, None, "LED large (460M)"),
    # speech
    (r"whisper-large-v3-turbo", 809 * M, None, "Whisper large-v3-turbo (809M)"),
    (r"whisper-large", 1.55 * B, None, "Whisper large (1.55B)"),
    (r"whisper-medium", 769 * M, None, "Whisper medium (769M)"),
    (r"whisper-small", 244 * M, None, "Whisper small (244M)"),
    (r"whisper-base", 74 * M, None, "Whisper base (74M)"),
    (r"whisper-tiny", 39 * M, None, "Whisper tiny (39M)"),
    (r"distilhubert", 23.5 * M, None, "DistilHuBERT (23.5M)"),
    (
        r"wav2vec2-(large|lg)|wav2vec2-xlsr|xlsr-wav2vec|wav2vec2-large-xlsr",
        317 * M,
        None,
        "wav2vec 2.0 large (317M)",
    ),
    (r"wav2vec2-base", 95 * M, None, "wav2vec 2.0 base (95M)"),
    (r"hubert-large", 316 * M, None, "HuBERT large (316M)"),
    (r"hubert-base", 95 * M, None, "HuBERT base (95M)"),
    (r"wavlm-large", 317 * M, None, "WavLM large (317M)"),
    (r"wavlm-base", 95 * M, None, "WavLM base (95M)"),
    (r"data2vec-audio-base", 93 * M, None, "data2vec-audio base (93M)"),
    (r"data2vec-audio-large", 313 * M, None, "data2vec-audio large (313M)"),
    # vision
    (r"vit-gpt2", 239 * M, None, "ViT-GPT2 captioner (239M)"),
    (r"detr-resnet-101", 60.7 * M, None, "DETR ResNet-101 (60.7M)"),
    (r"detr-resnet-50", 41.6 * M, None, "DETR ResNet-50 (41.6M)"),
    (r"vit-huge", 632 * M, None, "ViT huge (632M)"),
    (r"vit-large", 304 * M, None, "ViT large (304M)"),
    (r"vit-base", 86 * M, None, "ViT base (86M)"),
    (r"deit-tiny", 5.7 * M, None, "DeiT tiny (5.7M)"),
    (r"deit-small", 22 * M, None, "DeiT small (22M)"),
    (r"deit-base", 86 * M, None, "DeiT base (86M)"),
    (r"beit-large", 304 * M, None, "BEiT large (304M)"),
    (r"beit-base|dit-base", 86 * M, None, "BEiT base (86M)"),
    (r"swin-tiny", 28 * M, None, "Swin tiny (28M)"),
    (r"swin-small", 50 * M, None, "Swin small (50M)"),
    (r"swin-base", 88 * M, None, "Swin base (88M)"),
    (r"swin-large", 197 * M, None, "Swin large (197M)"),
    (r"convnext-tiny", 28.6 * M, None, "ConvNeXt tiny (28.6M)"),
    (r"convnext-small", 50 * M, None, "ConvNeXt small (50M)"),
    (r"convnext-base", 89 * M, None, "ConvNeXt base (89M)"),
    (r"convnext-large", 198 * M, None, "ConvNeXt large (198M)"),
    (r"resnet-?18", 11.7 * M, None, "ResNet-18 (11.7M)"),
    (r"resnet-?34", 21.8 * M, None, "ResNet-34 (21.8M)"),
    (r"resnet-?50", 25.6 * M, None, "ResNet-50 (25.6M)"),
    (r"resnet-?101", 44.5 * M, None, "ResNet-101 (44.5M)"),
    (r"resnet-?152", 60.2 * M, None, "ResNet-152 (60.2M)"),
    (r"yolos-tiny", 6.5 * M, None, "YOLOS tiny (6.5M)"),
    (r"yolos-small", 30.7 * M, None, "YOLOS small (30.7M)"),
    (r"yolos-base", 127 * M, None, "YOLOS base (127M)"),
    (r"(segformer|mit)-b0", 3.7 * M, None, "SegFormer B0 (3.7M)"),
    (r"(segformer|mit)-b1", 13.7 * M, None, "SegFormer B1 (13.7M)"),
    (r"(segformer|mit)-b2", 27.4 * M, None, "SegFormer B2 (27.4M)"),
    (r"(segformer|mit)-b3", 47.3 * M, None, "SegFormer B3 (47.3M)"),
    (r"(segformer|mit)-b4", 64.1 * M, None, "SegFormer B4 (64.1M)"),
    (r"(segformer|mit)-b5", 84.7 * M, None, "SegFormer B5 (84.7M)"),
    (r"mobilevit-xx-small", 1.3 * M, None, "MobileViT XXS (1.3M)"),
    (r"mobilevit-x-small", 2.3 * M, None, "MobileViT XS (2.3M)"),
    (r"mobilevit-small", 5.6 * M, None, "MobileViT S (5.6M)"),
    (r"dpt-large", 343 * M, None, "DPT large (343M)"),
    (r"trocr-small", 62 * M, None, "TrOCR small (62M)"),
    (r"trocr-base", 334 * M, None, "TrOCR base (334M)"),
    (r"trocr-large", 558 * M, None, "TrOCR large (558M)"),
    (r"clip-vit-base-patch(16|32)", 151 * M, None, "CLIP ViT-B (151M)"),
    (r"clip-vit-large-patch14", 428 * M, None, "CLIP ViT-L/14 (428M)"),
    (r"blip-image-captioning-base", 247 * M, None, "BLIP base (247M)"),
    (r"blip-image-captioning-large", 470 * M, None, "BLIP large (470M)"),
    (r"vilt-b32", 118 * M, None, "ViLT B/32 (118M)"),
    (r"donut-base", 202 * M, None, "Donut base (202M)"),
    (r"layoutlmv3-base", 126 * M, None, "LayoutLMv3 base (126M)"),
    # image generation (whole pipeline unless stated)
    (r"stable-diffusion-xl|sdxl", 3.5 * B, None, "SDXL pipeline (3.5B: UNet 2.6B)"),
    (r"stable-diffusion-3\.5-large", 8.1 * B, None, "SD 3.5 Large (8.1B MMDiT)"),
    (r"stable-diffusion-3\.5-medium", 2.5 * B, None, "SD 3.5 Medium (2.5B MMDiT)"),
    (r"stable-diffusion-2", 1.3 * B, None, "SD 2.x pipeline (1.3B: UNet 865M)"),
    (r"stable-diffusion-v1|stable-diffusion-v-1", 1.07 * B, None, "SD 1.x pipeline (1.07B)"),
    (r"flux\.1", 12 * B, None, "FLUX.1 (12B transformer)"),
    (r"dalle-mini", 400 * M, None, "DALL·E mini (0.4B)"),
]
NAME_SHAPES: list[tuple[re.Pattern[str], int, int | None, str]] = [
    (_name(pattern), int(total), int(active) if active else None, label)
    for pattern, total, active, label in _SHAPES
]

# "<size>": (dense model params, one expert's FFN over all layers, experts per token)
MOE_EXPERT_SHAPES: dict[str, tuple[int, int, int]] = {
    "7b": (7_241_732_096, 5_637_144_576, 2),  # Mistral 7B: 32 × 3 × 4096 × 14336
    "8b": (8_030_261_248, 5_637_144_576, 2),  # Llama 3 8B: same FFN shape
    "22b": (22_252_000_000, 16_911_433_728, 2),  # Mixtral 8x22B: 56 × 3 × 6144 × 16384
}

_LLAMA = {"model_type": "llama", "head_dim": 128, "tie_word_embeddings": False}
_GEMMA2 = {"model_type": "gemma2", "head_dim": 256, "sliding_window": 4096}
_GEMMA3 = {"model_type": "gemma3_text", "head_dim": 256, "sliding_window": 1024}


def _cfg(base: dict, layers: int, hidden: int, heads: int, kv: int, inter: int, vocab: int,
         context: int, **extra: object) -> dict:  # fmt: skip
    return {
        **base,
        "num_hidden_layers": layers,
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "intermediate_size": inter,
        "vocab_size": vocab,
        "max_position_embeddings": context,
        **extra,
    }


FAMILY_CONFIGS: dict[str, dict] = {
    "llama-2-7b": _cfg(_LLAMA, 32, 4096, 32, 32, 11008, 32000, 4096),
    "llama-2-13b": _cfg(_LLAMA, 40, 5120, 40, 40, 13824, 32000, 4096),
    "llama-2-70b": _cfg(_LLAMA, 80, 8192, 64, 8, 28672, 32000, 4096),
    "llama-3-8b": _cfg(_LLAMA, 32, 4096, 32, 8, 14336, 128256, 8192),
    "llama-3-70b": _cfg(_LLAMA, 80, 8192, 64, 8, 28672, 128256, 8192),
    "llama-3.1-8b": _cfg(_LLAMA, 32, 4096, 32, 8, 14336, 128256, 131072),
    "llama-3.1-70b": _cfg(_LLAMA, 80, 8192, 64, 8, 28672, 128256, 131072),
    "llama-3.1-405b": _cfg(_LLAMA, 126, 16384, 128, 8, 53248, 128256, 131072),
    "llama-3.2-1b": _cfg(_LLAMA, 16, 2048, 32, 8, 8192, 128256, 131072, head_dim=64),
    "llama-3.2-3b": _cfg(_LLAMA, 28, 3072, 24, 8, 8192, 128256, 131072),
    "llama-3.3-70b": _cfg(_LLAMA, 80, 8192, 64, 8, 28672, 128256, 131072),
    "mistral-7b-v0.1": _cfg(
        {"model_type": "mistral", "sliding_window": 4096}, 32, 4096, 32, 8, 14336, 32000, 32768
    ),
    "mistral-7b-v0.2": _cfg({"model_type": "mistral"}, 32, 4096, 32, 8, 14336, 32000, 32768),
    "mistral-7b-v0.3": _cfg({"model_type": "mistral"}, 32, 4096, 32, 8, 14336, 32768, 32768),
    "gemma-2b": _cfg({"model_type": "gemma", "head_dim": 256}, 18, 2048, 8, 1, 16384, 256000, 8192),
    "gemma-7b": _cfg(
        {"model_type": "gemma", "head_dim": 256}, 28, 3072, 16, 16, 24576, 256000, 8192
    ),
    "gemma-2-2b": _cfg(_GEMMA2, 26, 2304, 8, 4, 9216, 256000, 8192),
    "gemma-2-9b": _cfg(_GEMMA2, 42, 3584, 16, 8, 14336, 256000, 8192),
    "gemma-2-27b": _cfg({**_GEMMA2, "head_dim": 128}, 46, 4608, 32, 16, 36864, 256000, 8192),
    "gemma-3-1b": _cfg({**_GEMMA3, "sliding_window": 512}, 26, 1152, 4, 1, 6912, 262144, 32768),
    "gemma-3-4b": _cfg(_GEMMA3, 34, 2560, 8, 4, 10240, 262208, 131072),
    "gemma-3-12b": _cfg(_GEMMA3, 48, 3840, 16, 8, 15360, 262208, 131072),
    "gemma-3-27b": _cfg({**_GEMMA3, "head_dim": 128}, 62, 5376, 32, 16, 21504, 262208, 131072),
}
