// Reading RSLLM's options; the variant sets the defaults of the stages and loss weights.
#include "rsllm/rsllm_options.h"

#include "recbench/error.h"
#include "recbench/params.h"

namespace recbench::rsllm {

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::llara:
      return "llara";
    case Variant::text_only:
      return "text-only";
    case Variant::rsllm:
      break;
  }
  return "rsllm";
}

namespace {

Variant parse_variant(const std::string& v) {
  if (v == "llara") return Variant::llara;
  if (v == "text-only") return Variant::text_only;
  return Variant::rsllm;
}

Inference parse_inference(const std::string& v) {
  if (v == "constrained") return Inference::constrained;
  if (v == "generate") return Inference::generate;
  if (v == "embedding") return Inference::embedding;
  return Inference::likelihood;
}

void read_model(Params& p, Options& o) {
  o.backbone = p.text("backbone", "tiny", "\"tiny\" (trained from scratch) or an HF model folder");
  o.tiny_vocab = p.integer("tiny_vocab", 1024, "tiny backbone: BPE vocabulary size", 300, 65536);
  o.id_model =
      p.text("id_model", "sasrec", "label of the model entry whose item embeddings are used");
  o.id_file = p.text("id_file", "", "an item embedding table file to use instead of id_model");
  o.freeze_ids = p.flag("freeze_ids", true, "keep the ID embedding table fixed");
  o.projector_hidden = p.integer("projector_hidden", 0, "projector inner width (0: LLM hidden)", 0);
  o.history = p.integer("history", 10, "most recent history items in a prompt", 1);
  o.lora =
      p.choice("finetune", "full", {"full", "lora"}, "fine-tune all weights or LoRA") == "lora";
  o.lora_rank = p.integer("lora_rank", 8, "LoRA rank", 1);
  o.lora_alpha = p.real("lora_alpha", 16.0, "LoRA alpha (scale = alpha / rank)", 0.0);
  o.lora_targets = p.texts("lora_targets", {"q_proj", "v_proj"}, "linear layers given adapters");
}

void read_training(Params& p, Options& o) {
  const bool text = o.variant == Variant::text_only, llara = o.variant == Variant::llara;
  o.stage1_epochs = p.integer("stage1_epochs", llara ? 0 : 1, "epochs on text-only prompts", 0);
  o.stage2_epochs = p.integer("stage2_epochs", text ? 0 : 2, "epochs on unified prompts", 0);
  o.curriculum = p.flag("curriculum", llara, "stage 2: P(unified prompt) rises 0 -> 1");
  const double lambda = o.variant == Variant::rsllm ? 0.1 : 0.0;
  o.lambda_user = p.real("lambda_user", lambda, "weight of InfoNCE(user, target item)", 0.0);
  o.lambda_align =
      p.real("lambda_align", lambda, "weight of InfoNCE(projected ID, item text)", 0.0);
  o.tau = p.real("tau", 0.1, "InfoNCE temperature", 1e-6);
  o.samples_per_user = p.integer("samples_per_user", 2, "training targets per user and epoch", 1);
  o.train_candidates =
      p.integer("train_candidates", 20, "candidates listed in training prompts (0: none)", 0);
  o.batch_size = p.integer("batch_size", 16, "prompts per micro-batch", 1);
  o.accumulation = p.integer("accumulation", 1, "micro-batches per optimiser step", 1);
  o.lr = p.real("lr", 1e-3, "peak AdamW learning rate", 0.0);
  o.weight_decay = p.real("weight_decay", 0.01, "AdamW weight decay of matrices", 0.0);
  o.max_grad_norm = p.real("max_grad_norm", 1.0, "gradient clipping norm (0: none)", 0.0);
  o.warmup_fraction = p.real("warmup_fraction", 0.05, "warmup share of each stage", 0.0, 1.0);
}

}  // namespace

Options read_options(Params& p) {
  Options o;
  o.variant = parse_variant(p.choice("variant", "rsllm", {"rsllm", "llara", "text-only"},
                                     "rsllm | llara (hybrid prompt, curriculum, LM loss) | "
                                     "text-only (stage 1 only, TALLRec-like)"));
  read_model(p, o);
  read_training(p, o);
  o.inference = parse_inference(
      p.choice("inference", "likelihood", {"likelihood", "constrained", "generate", "embedding"},
               "candidates: answer likelihood | constrained greedy | free greedy (ValidRatio) | "
               "embedding head"));
  o.length_normalize = p.flag("length_normalize", true, "likelihood: mean over answer tokens");
  o.infer_batch = p.integer("infer_batch", 32, "prompts per forward pass at inference", 1);
  const std::string owner = p.owner();
  if (!o.uses_ids() && (o.lambda_user > 0 || o.lambda_align > 0 || o.stage2_epochs > 0)) {
    throw ConfigError(owner +
                      ": variant 'text-only' has no ID side: lambda_user, lambda_align and "
                      "stage2_epochs must be 0");
  }
  if (o.stage1_epochs + o.stage2_epochs == 0) {
    throw ConfigError(owner + ": stage1_epochs + stage2_epochs must be at least 1");
  }
  if (o.train_candidates == 1) {
    throw ConfigError(owner + ".train_candidates: 1 would list only the target (use 0 or >= 2)");
  }
  return o;
}

}  // namespace recbench::rsllm
