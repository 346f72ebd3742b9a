#!/usr/bin/env python3
"""Regenerates tests/fixtures/llm/tiny_sentencepiece.{model,expected.json} with python3-sentencepiece.

Trains a tiny Llama-2-style model (BPE, byte fallback, identity normaliser, dummy prefix, extra
whitespace kept; <unk>=0 <s>=1 </s>=2) plus one user-defined piece, then records the reference ids
and decoded text of a few texts, some of them outside the training corpus (byte fallback), and
Hugging Face's tokenizer.json conversion of the model (sentencepiece_to_tokenizer_json.py).
LlmSentencePiece.TinyModel* and LlmSentencePieceJson.TinyModel* read them, so they need no real file.
Run with Debian's interpreter: /usr/bin/python3 tests/reference/make_sentencepiece_fixture.py
"""
import io
import json
import pathlib

import sentencepiece

from sentencepiece_reference import reference
from sentencepiece_to_tokenizer_json import convert

OUT = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "llm"

WORDS = ["movie", "drama", "comedy", "the", "matrix", "story", "love", "war", "space", "night",
         "1999", "2001", "café", "Größe", "user", "watched", "rated"]
TEXTS = ["", "the matrix 1999", "user watched the drama movie", "  two  spaces ",
         "café Größe", "unseen: Привет 小说 👍", "tab\tand\nnewline", "<item> story <item>",
         "rated<item>", "</s> plain <s>"]


def corpus():
    """Deterministic lines over a small vocabulary."""
    return [" ".join(WORDS[(d * 7 + w * w) % len(WORDS)] for w in range(10)) for d in range(300)]


def main():
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus()), model_writer=model, model_type="bpe", vocab_size=340,
        byte_fallback=True, normalization_rule_name="identity", add_dummy_prefix=True,
        remove_extra_whitespaces=False, user_defined_symbols=["<item>"], character_coverage=1.0,
        num_threads=1, minloglevel=2)
    (OUT / "tiny_sentencepiece.model").write_bytes(model.getvalue())
    expected = reference(OUT / "tiny_sentencepiece.model", TEXTS)
    expected["texts"] = TEXTS
    with open(OUT / "tiny_sentencepiece_expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    # Hugging Face's conversion of the same model, for the tokenizer.json path (LlmSentencePieceJson).
    with open(OUT / "tiny_sentencepiece_tokenizer.json", "w", encoding="utf-8") as f:
        json.dump(convert(OUT / "tiny_sentencepiece.model", ["<item>"]), f, ensure_ascii=False)
    print("wrote", OUT / "tiny_sentencepiece.model", "tiny_sentencepiece_expected.json and",
          "tiny_sentencepiece_tokenizer.json")


if __name__ == "__main__":
    main()
