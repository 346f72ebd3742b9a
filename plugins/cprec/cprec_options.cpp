// Declares and validates the CPRec plugin's TOML keys.
#include "cprec_options.h"

#include <algorithm>
#include <cmath>

#include "recbench/error.h"

namespace recbench::cprec {

namespace {

void read_pretrain(Params& p, PretrainOptions& o, const std::vector<std::string>& corpora) {
  o.corpus = p.text("pretrain_corpus", "",
                    "[[corpora]] entry to continually pre-train on (empty: no corpus)");
  if (!o.corpus.empty() && std::find(corpora.begin(), corpora.end(), o.corpus) == corpora.end()) {
    std::string list;
    for (const auto& c : corpora) list += (list.empty() ? "" : ", ") + c;
    throw ConfigError(p.owner() + ".pretrain_corpus: no [[corpora]] entry named '" + o.corpus +
                      "' (known corpora: " + (list.empty() ? "none" : list) + ")");
  }
  o.tokens =
      p.integer("pretrain_tokens", o.tokens, "token budget (0: no continual pre-training)", 0);
  o.seq_len = p.integer("pretrain_seq_len", o.seq_len, "packed row length (tokens)", 16);
  o.batch_size =
      p.integer("pretrain_batch_size", o.batch_size, "packed rows per optimiser step", 1);
  o.accumulation_steps =
      p.integer("pretrain_accumulation_steps", o.accumulation_steps,
                "micro-batches a step's rows are split into (same step, less memory); at most "
                "pretrain_batch_size",
                1, o.batch_size);
  o.peak_lr = p.real("pretrain_lr", o.peak_lr, "peak learning rate", 0.0);
  o.schedule = p.choice("pretrain_schedule", "wsa", {"wsa", "cosine", "constant"},
                        "learning-rate schedule of continual pre-training");
  o.wsa.warmup_fraction = p.real("warmup_fraction", 0.05, "WSA warmup share", 0.0, 1.0);
  o.wsa.stable_fraction = p.real("stable_fraction", 0.75, "WSA stable share", 0.0, 1.0);
  o.wsa.anneal_fraction = p.real("anneal_fraction", 0.20, "WSA annealing share", 0.0, 1.0);
  o.wsa.shape = parse_anneal_shape(
      p.choice("anneal_shape", "cosine", {"cosine", "linear", "exponential"}, "decay shape"));
  o.wsa.floor_ratio = p.real("anneal_floor", 0.1, "final lr / peak lr", 0.0, 1.0);
  const double sum = o.wsa.warmup_fraction + o.wsa.stable_fraction + o.wsa.anneal_fraction;
  if (o.schedule == "wsa" && std::abs(sum - 1.0) > 1e-9) {
    throw ConfigError(p.owner() + ": warmup_fraction + stable_fraction + anneal_fraction = " +
                      std::to_string(sum) + ", expected 1");
  }
  o.mixed_share = p.real(
      "mixed_share", o.mixed_share,
      "share of mixed all-domain prompts (0: domain-specific only, 1: mixed only)", 0.0, 1.0);
  o.max_items = p.integer("pretrain_max_items", o.max_items, "history items per prompt", 1);
  o.stride = p.integer("pretrain_stride", o.stride, "sliding-window step over long histories", 1);
  o.loss_span = p.choice("loss_span", "all", {"all", "target"},
                         "pre-training loss on every item title or only the final one");
  o.weight_decay = p.real("weight_decay", o.weight_decay, "AdamW decay of matrices", 0.0);
  o.share_across_seeds = p.flag(
      "pretrain_share_across_seeds", o.share_across_seeds,
      "pre-train once for every seed (with seed 0); only adaptation then varies with the seed");
  o.checkpoint_every =
      p.integer("pretrain_checkpoint_every", o.checkpoint_every,
                "steps between resumable pre-training checkpoints (0: only when stopped)", 0);
  o.activation_checkpointing = p.flag(
      "pretrain_activation_checkpointing", o.activation_checkpointing,
      "recompute each layer's activations in backward (memory of one layer, ~1 more forward)");
}

void read_adapt(Params& p, AdaptOptions& o) {
  o.mode = p.choice("adapt", "full", {"full", "lora", "none"},
                    "target adaptation: full fine-tuning, LoRA, or none (zero-shot)");
  o.scoring = p.choice("scoring", "embedding", {"embedding", "likelihood", "generate"},
                       "pooled prompt vs item embeddings, title log-likelihood, or generation");
  o.few_shot = p.real("few_shot", 1.0, "fraction of training users adapted on", 0.0, 1.0);
  if (o.few_shot <= 0.0) throw ConfigError(p.owner() + ".few_shot: expected a fraction in (0, 1]");
  o.epochs = p.integer("epochs", o.epochs, "adaptation epochs (early stopping on validation)", 1);
  o.batch_size = p.integer("batch_size", o.batch_size, "adaptation prompts per step", 1);
  o.lr = p.real("lr", o.lr, "adaptation learning rate", 0.0);
  o.max_items = p.integer("max_items", o.max_items, "history items per target prompt", 1);
  o.temperature =
      p.real("temperature", o.temperature, "softmax temperature of cosine scores", 1e-6);
  o.softmax_items = p.integer("softmax_items", o.softmax_items,
                              "full softmax up to this many items, else sampled negatives", 2);
  o.lora_rank = p.integer("lora_rank", o.lora_rank, "LoRA rank", 1);
  o.lora_alpha = p.real("lora_alpha", o.lora_alpha, "LoRA alpha", 0.0);
  o.beams = p.integer("beams", o.beams, "generate scoring: beams (items ranked per user)", 1);
}

}  // namespace

CprecOptions read_options(Params& p, const std::vector<std::string>& corpora) {
  CprecOptions o;
  o.backbone = p.text("backbone", o.backbone,
                      "\"tiny\" (ModelConfig::tiny with a trained BPE) or a HF model folder");
  o.vocab_size = p.integer("vocab_size", o.vocab_size, "tiny backbone: BPE vocabulary", 300, 65536);
  o.prompt = p.text("template", o.prompt, "prompt with {domain}, {items} and a final {target}");
  o.item = p.text("item_template", o.item, "item text: {title}, {category}, {domain}");
  o.mixed_item = p.text("mixed_item_template", o.mixed_item, "item text in mixed sequences");
  o.separator = p.text("separator", o.separator, "between history items");
  o.mixed_domain = p.text("mixed_domain", o.mixed_domain, "{domain} of a mixed sequence");
  read_pretrain(p, o.pretrain, corpora);
  read_adapt(p, o.adapt);
  try {  // schedule settings fail here, at construction, not after data preparation
    pretrain_schedule(o.pretrain, 100);
  } catch (const ConfigError& e) {
    throw ConfigError(p.owner() + ": " + e.what());
  }
  return o;
}

LrSchedule pretrain_schedule(const PretrainOptions& o, int64_t total_steps) {
  if (o.schedule == "constant") return LrSchedule::constant(o.peak_lr);
  if (o.schedule == "cosine") {
    const auto warmup = static_cast<int64_t>(std::llround(o.wsa.warmup_fraction * total_steps));
    return LrSchedule::warmup_cosine(o.peak_lr, total_steps, warmup, o.wsa.floor_ratio);
  }
  return LrSchedule::wsa(o.peak_lr, total_steps, o.wsa);
}

}  // namespace recbench::cprec
