#!/usr/bin/env python3
"""Writes the tokenizer.json that Hugging Face's LlamaConverter makes of a SentencePiece BPE model.

  sentencepiece_to_tokenizer_json.py MODEL OUT_JSON [USER_DEFINED_PIECE...]

The recipe of transformers' convert_slow_tokenizer.py (LlamaConverter, legacy form, as shipped with
Llama 2 and Mistral): the vocabulary is the model's pieces by id; the merges are every split of a
piece into two pieces of the vocabulary, ordered by the merged piece's score (best first; splits
of one piece by the ids of their parts); BPE with byte_fallback, fuse_unk and unk_token; the
normalizer prepends '\u2581' and replaces ' ' by it; the decoder reverses that (Replace, ByteFallback,
Fuse, Strip one leading space); <unk>, <s>, </s> are special added tokens, user-defined pieces
(named on the command line: python3-sentencepiece 0.1.97 cannot tell them) non-special ones, and
the post-processor puts <s> in front. LlmSentencePieceJson.* run it at test time on the real Llama 2 model (so its
tokenizer.json is never stored) and make_sentencepiece_fixture.py on the tiny model. Exits 77 when
python3-sentencepiece is missing.
"""
import json
import sys

try:
    import sentencepiece
except ImportError:
    print("python3 cannot import sentencepiece (Debian python3-sentencepiece)", file=sys.stderr)
    sys.exit(77)

SPACE = "\u2581"


def convert(model_path, user_defined=()):
    sp = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
    n = sp.get_piece_size()
    vocab = {sp.id_to_piece(i): i for i in range(n)}
    # LlamaConverter.vocab(): the first three pieces (unk, bos, eos) get score 0.
    scores = {sp.id_to_piece(i): (0.0 if i < 3 else sp.get_score(i)) for i in range(n)}
    merges = []
    for piece, score in scores.items():
        local = [(piece[:k], piece[k:], score) for k in range(1, len(piece))
                 if piece[:k] in vocab and piece[k:] in vocab]
        merges.extend(sorted(local, key=lambda m: (vocab[m[0]], vocab[m[1]])))
    merges = sorted(merges, key=lambda m: m[2], reverse=True)  # stable, as in transformers
    special = [sp.id_to_piece(i) for i in range(n) if sp.is_control(i) or sp.is_unknown(i)]
    added = [{"id": vocab[p], "content": p, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for p in special]
    added += [{"id": vocab[p], "content": p, "single_word": False, "lstrip": False,
               "rstrip": False, "normalized": False, "special": False} for p in user_defined]
    bos = sp.id_to_piece(sp.bos_id())
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": SPACE},
            {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": bos, "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [sp.bos_id()], "tokens": [bos]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": SPACE}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": sp.id_to_piece(sp.unk_id()),
                  "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": True,
                  "byte_fallback": True, "ignore_merges": False, "vocab": vocab,
                  "merges": [[left, right] for left, right, _ in merges]},
    }


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(convert(sys.argv[1], sys.argv[3:]), f, ensure_ascii=False)


if __name__ == "__main__":
    main()
