// CPRec: template rendering, behaviour corpus and its stream, WSA through the options, bad keys,
// artefact reuse across target datasets and seeds, the stable-checkpoint re-annealing, resumed
// pre-training, accumulation, batched scoring, and save/load of every variant.
#include <gtest/gtest.h>

#include <filesystem>

#include "plugins/cprec/behaviour_corpus.h"
#include "plugins/cprec/cprec.h"
#include "plugins/cprec/cprec_options.h"
#include "plugins/cprec/prompt_encoder.h"
#include "plugins/cprec/prompt_template.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/multi_domain.h"
#include "unit/baselines/fake_context.h"

namespace recbench::testing {
namespace {

using cprec::PromptTemplate;

PromptTemplate default_template() {
  Params p("models.cprec.params", "", "test.toml");
  const auto o = cprec::read_options(p, {});
  return PromptTemplate("models.cprec.params", o.prompt, o.item, o.mixed_item, o.separator);
}

TEST(CprecTemplate, RendersGoldenStrings) {
  const PromptTemplate t = default_template();
  const cprec::ItemText a{"Red Kettle", "Kitchen", "home"}, b{"Blue Lamp", "Light", "office"};
  const std::string target = t.item(b, false);
  EXPECT_EQ(t.render("home", {t.item(a, false)}, &target),
            "Domain: home. The user interacted with: Red Kettle. Next: Blue Lamp");
  const std::string mixed_target = t.item(b, true);
  EXPECT_EQ(t.render("all domains", {t.item(a, true), t.item(a, true)}, &mixed_target),
            "Domain: all domains. The user interacted with: home - Red Kettle; home - Red "
            "Kettle. Next: office - Blue Lamp");
  EXPECT_EQ(t.render("home", {"x", "y"}, nullptr),
            "Domain: home. The user interacted with: x; y. Next: ");
  const PromptTemplate custom("m", "[{domain}] {items} => {target}", "{title} ({category})",
                              "{domain}/{title}", " | ");
  const std::string c = custom.item(b, false);
  EXPECT_EQ(custom.render("home", {custom.item(a, false), custom.item(a, true)}, &c),
            "[home] Red Kettle (Kitchen) | home/Red Kettle => Blue Lamp (Light)");
  const auto pieces = custom.pieces("home", {"p", "q"}, &c);
  ASSERT_EQ(pieces.size(), 6u);
  EXPECT_EQ(pieces[1].kind, cprec::PromptPiece::kHistoryItem);
  EXPECT_EQ(pieces[2].text, " | ");
  EXPECT_EQ(pieces[5].kind, cprec::PromptPiece::kTarget);
}

TEST(CprecTemplate, RejectsBadPatterns) {
  auto error = [](const std::string& prompt, const std::string& item) {
    try {
      PromptTemplate("models.x.params", prompt, item, "{title}", "; ");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("{items} {target} {user}", "{title}")
                .find("models.x.params.template: unknown "
                      "field {user}"),
            std::string::npos);
  EXPECT_NE(error("{target} then {items}", "{title}").find("{target} once, at the end"),
            std::string::npos);
  EXPECT_NE(error("{items} {target}", "{name}").find("item_template: unknown field {name}"),
            std::string::npos);
  EXPECT_NE(error("{items} {target", "{title}").find("never closed"), std::string::npos);
}

//! One user with items of two domains, interleaved in time (not in id order).
SequenceSet two_domain_user() {
  SequenceSet s;
  const std::vector<ItemId> items{1, 5, 2, 6, 3, 7};
  const std::vector<int64_t> times{10, 20, 30, 40, 50, 60};
  const std::vector<int16_t> domains{0, 1, 0, 1, 0, 1};
  s.append(4, items, times, domains);
  return s;
}

TEST(CprecPromptEncoder, AWholePromptIsTokenisedAsTheBackbonesTokenizerWould) {
  // SentencePiece backbones (the committed tiny model through the module, and HF's tokenizer.json
  // of it) give a separately encoded piece its own leading '▁', so piecewise ids differ from
  // the tokenizer's ids of the prompt; the encoder gives the latter and finds each piece's tokens.
  const PromptTemplate t = default_template();
  std::vector<cprec::ItemText> items(5);
  const std::vector<std::string> titles = {"", "the matrix", "love story", "space war", "night"};
  for (size_t i = 1; i < items.size(); ++i) items[i] = {titles[i], "drama", "movie"};
  const auto fixtures = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llm";
  for (const auto& file : {"tiny_sentencepiece.model", "tiny_sentencepiece_tokenizer.json"}) {
    const auto tok = llm::Tokenizer::from_file(fixtures / file);
    const cprec::PromptEncoder enc(tok, t, items, "all domains", 2);
    const std::vector<ItemId> seq = {1, 2, 3, 4};
    const std::vector<std::string> history = {"the matrix", "love story", "space war"};
    const std::string target = "night";
    const std::string text = t.render("movie", history, &target);

    const llm::LmExample ex = enc.example(seq, false, /*loss_on_history=*/true);
    ASSERT_EQ(ex.ids.back(), 2) << file;  // EOS, counted
    EXPECT_EQ(ex.targets.back(), 1) << file;
    const std::vector<int64_t> body(ex.ids.begin(), ex.ids.end() - 1);
    EXPECT_EQ(body, tok.encode(text)) << file;

    // The counted runs are the items' tokens: each decodes to its title (the space before it
    // comes with it); the target's run is what scoring appends to prefix().
    std::vector<std::string> runs;
    std::vector<size_t> starts;
    for (size_t i = 0; i < body.size(); ++i) {
      if (ex.targets[i] == 0) continue;
      if (i == 0 || ex.targets[i - 1] == 0) {
        starts.push_back(i);
        runs.emplace_back();
      }
      runs.back() =
          tok.decode(std::vector<int64_t>(body.begin() + starts.back(), body.begin() + i + 1));
    }
    ASSERT_EQ(runs.size(), 4u) << file;
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_EQ(runs[k].substr(runs[k].find_first_not_of(' ')), history[k]) << file;
    }
    const std::vector<int64_t> target_ids(body.begin() + starts.back(), body.end());
    EXPECT_EQ(target_ids, enc.item_ids(4)) << file;
    EXPECT_EQ(enc.prefix(std::vector<ItemId>{1, 2, 3}, false),
              std::vector<int64_t>(body.begin(), body.begin() + starts.back()))
        << file;

    // Without loss on history only the target (and EOS) count.
    const llm::LmExample target_only = enc.example(seq, false, false);
    EXPECT_EQ(target_only.ids, ex.ids) << file;
    size_t counted = 0;
    for (uint8_t m : target_only.targets) counted += m;
    EXPECT_EQ(counted, target_ids.size() + 1) << file;

    // Piece by piece, every piece would start with its own '▁': other ids.
    std::vector<int64_t> piecewise;
    for (const auto& piece : t.pieces("movie", history, &target)) {
      const auto ids = tok.encode(piece.text);
      piecewise.insert(piecewise.end(), ids.begin(), ids.end());
    }
    EXPECT_NE(piecewise, body) << file;
  }
}

TEST(CprecCorpus, BuildsDomainAndMixedSequencesInTimeOrder) {
  // The user's interactions arrive as two per-domain sequences: the mixed view re-merges them.
  SequenceSet split;
  split.append(4, std::vector<ItemId>{5, 6, 7}, std::vector<int64_t>{20, 40, 60},
               std::vector<int16_t>{1, 1, 1});
  split.append(4, std::vector<ItemId>{1, 2, 3}, std::vector<int64_t>{10, 30, 50},
               std::vector<int16_t>{0, 0, 0});
  const MultiDomainSequences v = multi_domain_view(split);
  ASSERT_EQ(v.mixed.size(), 1u);
  const auto mixed = v.mixed.sequence(0);
  EXPECT_EQ(std::vector<ItemId>(mixed.begin(), mixed.end()),
            (std::vector<ItemId>{1, 5, 2, 6, 3, 7}));
  ASSERT_EQ(v.per_domain.size(), 2u);
  EXPECT_EQ(v.domain_of, (std::vector<int16_t>{0, 1}));
  EXPECT_EQ(v.per_domain.users, (std::vector<int64_t>{4, 4}));
  const auto d1 = v.per_domain.sequence(1);
  EXPECT_EQ(std::vector<ItemId>(d1.begin(), d1.end()), (std::vector<ItemId>{5, 6, 7}));

  const cprec::BehaviourCorpus c(two_domain_user(), 2, 2);
  auto items = [](const cprec::BehaviourPrompt& p) {
    return std::vector<ItemId>(p.items.begin(), p.items.end());
  };
  ASSERT_EQ(c.domain_specific_size(), 2u);  // one 3-item window per domain
  EXPECT_EQ(items(c.domain_specific(0)), (std::vector<ItemId>{1, 2, 3}));
  EXPECT_EQ(items(c.domain_specific(1)), (std::vector<ItemId>{5, 6, 7}));
  EXPECT_EQ(c.domain_specific(1).domain, 1);
  ASSERT_EQ(c.mixed_size(), 3u);  // windows of 3 ending at 6, 4 and 2 items
  EXPECT_EQ(items(c.mixed(0)), (std::vector<ItemId>{1, 5}));
  EXPECT_EQ(items(c.mixed(1)), (std::vector<ItemId>{5, 2, 6}));
  EXPECT_EQ(items(c.mixed(2)), (std::vector<ItemId>{6, 3, 7}));
  EXPECT_TRUE(c.mixed(2).mixed);
  EXPECT_THROW(c.mixed(3), Error);
}

TEST(CprecCorpus, WindowsComputedOnDemandEqualPromptWindows) {
  SequenceSet set;  // users of 1..29 items in one domain: the mixed view holds them as they are
  for (int64_t u = 0; u < 29; ++u) {
    std::vector<ItemId> items;
    std::vector<int64_t> times;
    for (int64_t i = 0; i <= u; ++i) {
      items.push_back(static_cast<ItemId>(100 * u + i));
      times.push_back(i);
    }
    set.append(u, items, times, std::vector<int16_t>(items.size(), 0));
  }
  for (const auto& [max_items, stride] :
       std::vector<std::pair<int64_t, int64_t>>{{10, 10}, {2, 1}, {5, 3}, {1, 7}}) {
    const cprec::BehaviourCorpus c(set, max_items, stride);
    size_t index = 0;
    for (size_t u = 1; u < set.size(); ++u) {  // user 0 has one item: no window
      const auto seq = set.sequence(u);
      for (const auto& [begin, end] :
           cprec::prompt_windows(static_cast<int64_t>(seq.size()), max_items, stride)) {
        const auto p = c.mixed(index++);
        EXPECT_EQ(std::vector<ItemId>(p.items.begin(), p.items.end()),
                  std::vector<ItemId>(seq.begin() + begin, seq.begin() + end))
            << max_items << ' ' << stride << ' ' << u;
      }
    }
    EXPECT_EQ(c.mixed_size(), index);
  }
}

TEST(CprecCorpus, StreamSkipReachesTheSamePosition) {
  const cprec::BehaviourCorpus c(two_domain_user(), 2, 1);
  cprec::PromptStream drawn(c, 0.5, 42), skipped(c, 0.5, 42);
  std::vector<std::vector<ItemId>> tail;
  for (int i = 0; i < 57; ++i) {  // several passes over both pools
    const auto p = drawn.next();
    if (i >= 40) tail.emplace_back(p.items.begin(), p.items.end());
  }
  skipped.skip(40);
  EXPECT_EQ(skipped.drawn(), 40u);
  for (const auto& expected : tail) {
    const auto p = skipped.next();
    EXPECT_EQ(std::vector<ItemId>(p.items.begin(), p.items.end()), expected);
  }
  EXPECT_EQ(skipped.drawn(), drawn.drawn());
}

TEST(CprecCorpus, WindowsTileLongHistories) {
  using W = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(cprec::prompt_windows(25, 10, 10), (W{{0, 5}, {4, 15}, {14, 25}}));
  EXPECT_EQ(cprec::prompt_windows(11, 10, 10), (W{{0, 11}}));
  EXPECT_EQ(cprec::prompt_windows(1, 10, 10), W{});
  EXPECT_EQ(cprec::prompt_windows(6, 2, 1), (W{{0, 2}, {0, 3}, {1, 4}, {2, 5}, {3, 6}}));
}

TEST(CprecCorpus, TargetPromptsNeverSeeValidationOrTestItems) {
  std::vector<std::vector<ItemId>> seqs;
  for (ItemId u = 0; u < 5; ++u)
    seqs.push_back({ItemId(6 * u + 1), ItemId(6 * u + 2), ItemId(6 * u + 3), ItemId(6 * u + 4),
                    ItemId(6 * u + 5), ItemId(6 * u + 6)});
  const FakeDataset data(seqs, 31);
  const auto prompts = cprec::target_prompts(data.train, {0, 1, 2, 3, 4}, 2);
  EXPECT_EQ(prompts.size(), 5u * 3u);  // 4 training items per user -> 3 transitions
  for (const auto& p : prompts) {
    EXPECT_LE(p.size(), 3u);
    for (ItemId i : p) {
      for (size_t u = 0; u < 5; ++u) {
        EXPECT_NE(i, data.valid.targets[u]);
        EXPECT_NE(i, data.test.targets[u]);
      }
    }
  }
  EXPECT_EQ(prompts[2], (std::vector<ItemId>{2, 3, 4}));
}

TEST(CprecOptions, WsaValuesAtPhaseBoundaries) {
  Params p("models.cprec.params",
           "pretrain_lr = 0.01\nwarmup_fraction = 0.1\nstable_fraction = 0.7\n"
           "anneal_fraction = 0.2\nanneal_floor = 0.1\nanneal_shape = \"linear\"\n",
           "test.toml");
  const auto o = cprec::read_options(p, {});
  p.finish();
  const LrSchedule s = cprec::pretrain_schedule(o.pretrain, 100);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.001);  // first warmup step
  EXPECT_DOUBLE_EQ(s.lr_at(9), 0.01);   // last warmup step reaches the peak
  EXPECT_DOUBLE_EQ(s.lr_at(79), 0.01);  // last stable step
  EXPECT_EQ(s.anneal_start(), 80);
  EXPECT_NEAR(s.lr_at(80), 0.01 - 0.009 / 20, 1e-12);  // linear decay starts
  EXPECT_NEAR(s.lr_at(99), 0.001, 1e-12);              // ends at the floor
  Params c("m", "pretrain_schedule = \"constant\"\npretrain_lr = 0.002\n", "t");
  EXPECT_DOUBLE_EQ(cprec::pretrain_schedule(cprec::read_options(c, {}).pretrain, 50).lr_at(49),
                   0.002);
  Params cos("m", "pretrain_schedule = \"cosine\"\nwarmup_fraction = 0.1\n", "t");
  const LrSchedule cs = cprec::pretrain_schedule(cprec::read_options(cos, {}).pretrain, 100);
  EXPECT_EQ(cs.anneal_start(), 10);  // no stable phase
  EXPECT_LT(cs.lr_at(50), cs.lr_at(10));
}

std::string config_error(const std::string& toml, const std::vector<std::string>& corpora) {
  try {
    Params p("models.cprec.params", toml, "exp.toml");
    cprec::read_options(p, corpora);
    p.finish();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(CprecOptions, BadKeysAreNamed) {
  EXPECT_NE(config_error("pretrain_corpus = \"amazon-pretrian\"\n", {"amazon-pretrain", "syn"})
                .find("pretrain_corpus: no [[corpora]] entry named 'amazon-pretrian' (known "
                      "corpora: amazon-pretrain, syn)"),
            std::string::npos);
  EXPECT_NE(config_error("warmup_fraction = 0.5\n", {}).find("expected 1"), std::string::npos);
  EXPECT_NE(config_error("scoring = \"dot\"\n", {}).find("scoring"), std::string::npos);
  EXPECT_NE(config_error("few_shot = 0.0\n", {}).find("few_shot"), std::string::npos);
  EXPECT_NE(config_error("warmup_fractoin = 0.1\n", {}).find("warmup_fractoin"), std::string::npos);
  EXPECT_NE(config_error("pretrain_batch_size = 4\npretrain_accumulation_steps = 5\n", {})
                .find("pretrain_accumulation_steps: expected an integer in [1, 4], got 5"),
            std::string::npos);
  EXPECT_NE(config_error("pretrain_checkpoint_every = -1\n", {}).find("pretrain_checkpoint_every"),
            std::string::npos);
  EXPECT_NE(
      config_error("pretrain_share_across_seeds = 1\n", {}).find("pretrain_share_across_seeds"),
      std::string::npos);
  EXPECT_EQ(config_error("pretrain_corpus = \"syn\"\n", {"syn"}), "");
}

//! Sequences over items 1..30 with titles sharing topic words (item i: topic i % 3).
struct TitledData {
  FakeDataset data;
  explicit TitledData(uint64_t seed, const std::string& domain)
      : data(rule_sequences(31, 30, 5, 9, 0.7, seed, [](ItemId i) { return i % 30 + 1; }), 31) {
    static const char* kTopic[] = {"river stone", "amber field", "silver wind"};
    data.items.titles.assign(31, "");
    data.items.domain.assign(31, 0);
    data.items.domain_names = {domain};
    for (int i = 1; i < 31; ++i) {
      data.items.titles[i] = std::string(kTopic[i % 3]) + " " + std::to_string(i);
    }
  }
};

const char* kQuick =
    "pretrain_corpus = \"corpus\"\npretrain_tokens = 2048\npretrain_seq_len = 64\n"
    "pretrain_batch_size = 4\nvocab_size = 320\nepochs = 1\n";

cprec::Cprec& as_cprec(Recommender& m) { return dynamic_cast<cprec::Cprec&>(m); }

TEST(CprecPlugin, SecondTargetReusesPretrainingAndAnnealingResumesFromStable) {
  TitledData corpus(11, "books"), a(12, "office"), b(13, "music");
  const auto shared = std::filesystem::temp_directory_path() /
                      ("recbench_cprec_shared_" + std::to_string(::getpid()));
  std::filesystem::remove_all(shared);
  auto fit = [&](const TitledData& target, const std::string& extra) {
    FakeContext ctx(target.data);
    ctx.corpora["corpus"] = corpus.data.view();
    ctx.shared_root = shared;
    auto model = make_model("cprec", std::string(kQuick) + extra, ctx);
    model->fit(ctx);
    return *as_cprec(*model).pretraining();
  };
  const auto first = fit(a, "");
  EXPECT_FALSE(first.reused);
  EXPECT_EQ(first.trained_steps, 8);  // 2048 tokens / (64 x 4)
  EXPECT_TRUE(std::filesystem::exists(first.folder / "model.safetensors"));
  const auto second = fit(b, "");
  EXPECT_TRUE(second.reused);
  EXPECT_EQ(second.trained_steps, 0);
  EXPECT_EQ(second.folder, first.folder);
  const auto reanneal = fit(a, "anneal_shape = \"linear\"\n");  // same stable phase
  EXPECT_FALSE(reanneal.reused);
  EXPECT_TRUE(reanneal.resumed_from_stable);
  EXPECT_EQ(reanneal.trained_steps, 2);  // only the 20% annealing steps
  EXPECT_NE(reanneal.folder, first.folder);
  std::filesystem::remove_all(shared);
}

//! A temporary shared folder, removed at the end of the scope.
struct SharedDir {
  std::filesystem::path path;
  explicit SharedDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("recbench_cprec_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
  }
  ~SharedDir() { std::filesystem::remove_all(path); }
};

//! Every weight of the model folder `dir`, by name.
std::vector<std::pair<std::string, torch::Tensor>> weights(const std::filesystem::path& dir) {
  return llm::load_model(dir, torch::kCPU)->hf_state();
}

//! Largest |a - b| over the weights of two model folders (infinity when the names differ).
double max_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto x = weights(a), y = weights(b);
  if (x.size() != y.size()) return std::numeric_limits<double>::infinity();
  double d = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].first != y[i].first) return std::numeric_limits<double>::infinity();
    d = std::max(d, (x[i].second - y[i].second).abs().max().item<double>());
  }
  return d;
}

//! Pre-trains on `corpus` for target `target` in `shared` (the FakeContext tuned by `setup`).
template <typename Setup>
cprec::PretrainOutcome pretrain(const TitledData& corpus, const TitledData& target,
                                const std::filesystem::path& shared, const std::string& toml,
                                Setup setup) {
  FakeContext ctx(target.data);
  ctx.corpora["corpus"] = corpus.data.view();
  ctx.shared_root = shared;
  setup(ctx);
  auto model = make_model("cprec", std::string(kQuick) + "adapt = \"none\"\n" + toml, ctx);
  model->fit(ctx);
  return *as_cprec(*model).pretraining();
}

TEST(CprecPlugin, StoppedOrKilledPretrainingResumesToTheSameWeights) {
  TitledData corpus(31, "books"), target(32, "office");
  const std::string every3 = "pretrain_checkpoint_every = 3\n";  // 8 steps: checkpoints at 3, 6
  SharedDir whole("whole"), stopped("stopped"), killed("killed");
  const auto reference = pretrain(corpus, target, whole.path, every3, [](FakeContext&) {});
  EXPECT_EQ(reference.trained_steps, 8);
  EXPECT_FALSE(std::filesystem::exists(reference.folder.parent_path() / "checkpoint-000000000006"))
      << "the finished artefact supersedes the checkpoints";

  // Stopped after step 5: the stop writes a checkpoint of step 5, and the next run takes 3 steps.
  const auto stop =
      pretrain(corpus, target, stopped.path, every3, [](FakeContext& c) { c.stop_at = 5; });
  EXPECT_TRUE(stop.stopped);
  EXPECT_EQ(stop.trained_steps, 5);
  EXPECT_FALSE(std::filesystem::exists(stop.folder));
  EXPECT_TRUE(std::filesystem::exists(stop.folder.parent_path() / "checkpoint-000000000005"));
  const auto after_stop = pretrain(corpus, target, stopped.path, every3, [](FakeContext&) {});
  EXPECT_EQ(after_stop.resumed_from_step, 5);
  EXPECT_EQ(after_stop.trained_steps, 3);
  // Exact: the resumed run applies the same float operations to the same bits (weights and
  // AdamW moments are stored losslessly, the prompt stream is at the same position).
  EXPECT_EQ(max_difference(reference.folder, after_stop.folder), 0.0);
  EXPECT_DOUBLE_EQ(after_stop.final_loss, reference.final_loss);

  // Killed after step 5 (before the stable phase ends), without a word: the run resumes from
  // the periodic checkpoint of step 3, so steps 4 and 5 run again.
  EXPECT_THROW(
      pretrain(corpus, target, killed.path, every3, [](FakeContext& c) { c.crash_at = 5; }), Error);
  const auto after_kill = pretrain(corpus, target, killed.path, every3, [](FakeContext&) {});
  EXPECT_EQ(after_kill.resumed_from_step, 3);
  EXPECT_EQ(after_kill.trained_steps, 5);
  EXPECT_EQ(max_difference(reference.folder, after_kill.folder), 0.0);
}

TEST(CprecPlugin, AccumulationSplitsTheSameStep) {
  TitledData corpus(41, "books"), target(42, "office");
  SharedDir shared("accumulation");
  const auto one = pretrain(corpus, target, shared.path, "", [](FakeContext&) {});
  const auto two = pretrain(corpus, target, shared.path, "pretrain_accumulation_steps = 2\n",
                            [](FakeContext&) {});
  EXPECT_EQ(two.trained_steps, 8);    // the same steps, each in two micro-batches
  EXPECT_NE(two.folder, one.folder);  // a separate artefact (rounding differs)
  // The same gradients up to float summation order, amplified a little by AdamW.
  EXPECT_LT(max_difference(one.folder, two.folder), 1e-4);
  EXPECT_NEAR(two.final_loss, one.final_loss, 1e-4);
}

TEST(CprecPlugin, ShareAcrossSeedsTrainsOneArtefact) {
  TitledData corpus(51, "books"), target(52, "office");
  SharedDir shared("seeds");
  std::vector<cprec::PretrainOutcome> own, common;
  for (uint64_t s : {1, 2}) {
    FakeContext ctx(target.data, s);
    ctx.corpora["corpus"] = corpus.data.view();
    ctx.shared_root = shared.path;
    for (const std::string share : {"false", "true"}) {
      auto model = make_model(
          "cprec",
          std::string(kQuick) + "adapt = \"none\"\npretrain_share_across_seeds = " + share + "\n",
          ctx);
      model->fit(ctx);
      (share == "true" ? common : own).push_back(*as_cprec(*model).pretraining());
    }
  }
  EXPECT_NE(own[0].folder, own[1].folder);  // one artefact per seed
  EXPECT_EQ(common[0].folder, common[1].folder);
  EXPECT_FALSE(common[0].reused);
  EXPECT_TRUE(common[1].reused);  // seed 2 adapts the model seed 1's cell pre-trained
}

TEST(CprecPlugin, BatchedScoringEqualsOneUserAtATime) {
  TitledData corpus(61, "books"), target(62, "office");
  for (const std::string extra :
       {"scoring = \"likelihood\"\n", "scoring = \"generate\"\nbeams = 4\n"}) {
    FakeContext ctx(target.data);
    ctx.corpora["corpus"] = corpus.data.view();
    auto model = make_model("cprec", std::string(kQuick) + "adapt = \"none\"\n" + extra, ctx);
    model->fit(ctx);
    const std::vector<int64_t> rows{0, 1, 2, 3, 4, 5};
    const auto batch = make_history_batch(target.data.valid.histories, rows, 50, torch::kCPU);
    const auto cand = torch::tensor(
        {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {1, 5, 9}, {2, 4, 6}, {3, 6, 9}}, torch::kInt64);
    const auto all = model->score_all(batch);
    const auto some = model->score_candidates(batch, cand);
    for (int64_t r : rows) {
      const auto one =
          make_history_batch(target.data.valid.histories, std::vector<int64_t>{r}, 50, torch::kCPU);
      EXPECT_TRUE(torch::allclose(all[r], model->score_all(one)[0], 1e-5, 1e-5)) << extra << r;
      EXPECT_TRUE(torch::allclose(some[r], model->score_candidates(one, cand.slice(0, r, r + 1))[0],
                                  1e-5, 1e-5))
          << extra << r;
    }
  }
}

TEST(CprecPlugin, SaveLoadRoundTripOfEveryScoringRule) {
  TitledData corpus(21, "books"), target(22, "office");
  for (const std::string extra : {"adapt = \"lora\"\nscoring = \"likelihood\"\n",
                                  "scoring = \"generate\"\nbeams = 3\n", "adapt = \"none\"\n"}) {
    FakeContext ctx(target.data);
    ctx.corpora["corpus"] = corpus.data.view();
    auto model = make_model("cprec", std::string(kQuick) + extra, ctx);
    model->fit(ctx);
    const auto batch = make_history_batch(target.data.valid.histories,
                                          std::vector<int64_t>{0, 1, 2}, 50, torch::kCPU);
    const auto cand = torch::tensor({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, torch::kInt64);
    const auto scores = model->score_all(batch);
    const auto cand_scores = model->score_candidates(batch, cand);
    ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{3, 31})) << extra;
    EXPECT_TRUE(torch::allclose(cand_scores, scores.gather(1, cand), 1e-4, 1e-4)) << extra;
    const auto dir = ctx.work_dir() / "saved";
    std::filesystem::create_directories(dir);
    model->save(dir);
    FakeContext other(target.data, 99);
    other.corpora["corpus"] = corpus.data.view();
    auto loaded = make_model("cprec", std::string(kQuick) + extra, other);
    loaded->load(dir);
    EXPECT_TRUE(torch::equal(loaded->score_all(batch), scores)) << extra;
  }
}

}  // namespace
}  // namespace recbench::testing
