#!/usr/bin/env python3
"""Reference ids of a SentencePiece model, from Debian's python3-sentencepiece.

  sentencepiece_reference.py MODEL TEXTS_JSON      prints {"ids": [[...], ...], "decoded": [...]}
                                                   for the texts of TEXTS_JSON ({"texts": [...]})

Used by LlmSentencePiece.Llama2MatchesPythonSentencePiece and LlmSentencePieceJson.Llama2* on the real
Llama 2 tokenizer.model (../shared/data/real/tokenizers/llama-2/, never committed)
with tests/fixtures/llm/sentencepiece_texts.json, and for make_sentencepiece_fixture.py. Exits 77
when the module is missing, so a caller can tell "cannot check" from "wrong".
"""
import json
import sys

try:
    import sentencepiece
except ImportError:
    print("python3 cannot import sentencepiece (Debian python3-sentencepiece)", file=sys.stderr)
    sys.exit(77)


def reference(model_path, texts):
    """Plain SentencePiece encode (no BOS/EOS) and decode of each text."""
    sp = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
    ids = [sp.encode(text) for text in texts]
    return {"ids": ids, "decoded": [sp.decode(row) for row in ids]}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[2], encoding="utf-8") as f:
        texts = json.load(f)["texts"]
    json.dump(reference(sys.argv[1], texts), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
