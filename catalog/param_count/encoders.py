"""Parameters of encoder and encoder-decoder models and of vision towers (pure).

Every Linear here has a bias and every LayerNorm a weight and a bias, as in BERT, BART,
Whisper, CLIP and ViT:
    attention block  = 4 (H² + H)                    (q, k, v, o)
    FFN block        = 2 H I + I + H
    encoder layer    = attention + FFN + 2 LayerNorms (4 H)
    decoder layer    = encoder layer + cross-attention + 1 LayerNorm
Checks (test_param_count): all-MiniLM-L6-v2 22,713,216 and all-mpnet-base-v2 109,486,464
exactly (with the pooler); GPT-2 124,439,808 exactly.
"""

from __future__ import annotations

from .config import as_int, first_int, model_type


def _attn(h: int) -> int:
    return 4 * (h * h + h)


def _ffn(h: int, i: int) -> int:
    return 2 * h * i + i + h


def _encoder_layer(h: int, i: int) -> int:
    return _attn(h) + _ffn(h, i) + 4 * h


BERT_LIKE = frozenset(
    """bert roberta xlm-roberta camembert mpnet electra nomic_bert distilbert deberta
    deberta-v2 albert""".split()  # noqa: SIM905
)


def count_bert(cfg: dict) -> int | None:
    """BERT family encoder with its pooler (BertModel's safetensors include it);
    MPNet adds a relative-position bias and has no token types; DistilBERT neither."""
    mtype = model_type(cfg)
    layers = first_int(cfg, "num_hidden_layers", "n_layers")
    h = first_int(cfg, "hidden_size", "dim")
    i = first_int(cfg, "intermediate_size", "hidden_dim")
    vocab = first_int(cfg, "vocab_size")
    if not (layers and h and i and vocab):
        return None
    positions = first_int(cfg, "max_position_embeddings") or 512
    types = 0 if mtype in ("mpnet", "distilbert") else (as_int(cfg.get("type_vocab_size")) or 2)
    embed_h = first_int(cfg, "embedding_size") or h  # ALBERT factorizes its embeddings
    total = (vocab + positions + types) * embed_h + 2 * embed_h
    if embed_h != h:
        total += embed_h * h + h
    shared_layers = mtype == "albert"
    total += _encoder_layer(h, i) * (1 if shared_layers else layers)
    if mtype == "mpnet":
        total += (as_int(cfg.get("relative_attention_num_buckets")) or 32) * (
            first_int(cfg, "num_attention_heads") or 12
        )
    if mtype != "distilbert":
        total += h * h + h  # pooler
    return total


def count_gpt2(cfg: dict) -> int | None:
    layers, h = first_int(cfg, "n_layer"), first_int(cfg, "n_embd")
    vocab, positions = first_int(cfg, "vocab_size"), first_int(cfg, "n_positions") or 1024
    if not (layers and h and vocab):
        return None
    i = first_int(cfg, "n_inner") or 4 * h
    layer = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + _ffn(h, i)
    return (vocab + positions) * h + layers * layer + 2 * h


def count_bart(cfg: dict) -> int | None:
    """BART / mBART: shared embeddings, learned positions (+2 offset) per side,
    layernorm_embedding per side, final_logits_bias (stored with the weights)."""
    d, vocab = first_int(cfg, "d_model"), first_int(cfg, "vocab_size")
    enc, dec = first_int(cfg, "encoder_layers"), first_int(cfg, "decoder_layers")
    ei, di = first_int(cfg, "encoder_ffn_dim"), first_int(cfg, "decoder_ffn_dim")
    if not (d and vocab and enc and dec and ei and di):
        return None
    positions = (first_int(cfg, "max_position_embeddings") or 1024) + 2
    total = vocab * d + 2 * positions * d + 2 * 2 * d + vocab
    total += enc * _encoder_layer(d, ei) + dec * (_encoder_layer(d, di) + _attn(d) + 2 * d)
    if cfg.get("add_final_layer_norm") is True or model_type(cfg) == "mbart":
        total += 2 * 2 * d
    return total


def count_whisper(cfg: dict) -> int | None:
    """Whisper: two conv layers over mel bins, stored sinusoidal encoder positions, k
    projections without bias, decoder with cross-attention, output tied to the tokens."""
    d, vocab = first_int(cfg, "d_model"), first_int(cfg, "vocab_size")
    enc, dec = first_int(cfg, "encoder_layers"), first_int(cfg, "decoder_layers")
    ei, di = first_int(cfg, "encoder_ffn_dim"), first_int(cfg, "decoder_ffn_dim")
    if not (d and vocab and enc and dec and ei and di):
        return None
    mels = first_int(cfg, "num_mel_bins") or 80
    source = first_int(cfg, "max_source_positions") or 1500
    target = first_int(cfg, "max_target_positions") or 448
    attn = _attn(d) - d  # no bias on k
    conv = mels * d * 3 + d + d * d * 3 + d
    encoder = conv + source * d + enc * (attn + _ffn(d, ei) + 4 * d) + 2 * d
    decoder = vocab * d + target * d + dec * (2 * attn + _ffn(d, di) + 6 * d) + 2 * d
    return encoder + decoder


def count_vit(cfg: dict, *, text_hidden: int | None = None) -> int | None:
    """A ViT/SigLIP/CLIP vision tower: patch embedding, positions, pre-norm layers
    with biases, a final norm, and (for a VLM) a projector into the language model."""
    layers = first_int(cfg, "num_hidden_layers", "depth", "num_layers")
    h = first_int(cfg, "hidden_size", "embed_dim")
    i = first_int(cfg, "intermediate_size")
    if not (layers and h and i):
        return None
    patch = first_int(cfg, "patch_size") or 14
    channels = first_int(cfg, "num_channels", "in_channels", "in_chans") or 3
    temporal = first_int(cfg, "temporal_patch_size") or 1
    image = first_int(cfg, "image_size") or 224
    positions = first_int(cfg, "num_position_embeddings") or (image // patch) ** 2 + 1
    total = channels * temporal * patch * patch * h + h + positions * h
    total += layers * _encoder_layer(h, i) + 2 * h
    if text_hidden:
        merge = first_int(cfg, "spatial_merge_size") or 1
        wide = h * merge * merge
        out = first_int(cfg, "out_hidden_size") or text_hidden
        merger = 2 * wide + wide * wide + wide + wide * out + out
        deepstack = cfg.get("deepstack_visual_indexes")
        total += merger * (1 + (len(deepstack) if isinstance(deepstack, list) else 0))
    return total


def count_clip(config: dict) -> int | None:
    text, vision = config.get("text_config"), config.get("vision_config")
    if not (isinstance(text, dict) and isinstance(vision, dict)):
        return None
    layers, h = first_int(text, "num_hidden_layers") or 12, first_int(text, "hidden_size")
    i, vocab = first_int(text, "intermediate_size"), first_int(text, "vocab_size") or 49408
    if not (h and i):
        return None
    positions = first_int(text, "max_position_embeddings") or 77
    text_total = (vocab + positions) * h + layers * _encoder_layer(h, i) + 2 * h
    vision_total = count_vit(vision)
    if vision_total is None:
        return None
    vision_h = first_int(vision, "hidden_size") or 768
    vision_total += 2 * vision_h  # CLIP's pre-LayerNorm (its class embedding replaces a patch bias)
    projection = first_int(config, "projection_dim") or 512
    # text and visual projections (no bias) and the logit scale
    return text_total + vision_total + h * projection + vision_h * projection + 1
