// CPRec: template rendering, behaviour corpus, WSA through the options, bad keys, artefact reuse
// across target datasets, the stable-checkpoint re-annealing, and save/load of every variant.
#include <gtest/gtest.h>

#include <filesystem>

#include "plugins/cprec/behaviour_corpus.h"
#include "plugins/cprec/cprec.h"
#include "plugins/cprec/cprec_options.h"
#include "plugins/cprec/prompt_encoder.h"
#include "plugins/cprec/prompt_template.h"
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

  const cprec::BehaviourCorpus c = cprec::build_behaviour_corpus(two_domain_user(), 2, 2);
  ASSERT_EQ(c.domain_specific.size(), 2u);  // one 3-item window per domain
  EXPECT_EQ(c.domain_specific[0].items, (std::vector<ItemId>{1, 2, 3}));
  EXPECT_EQ(c.domain_specific[1].items, (std::vector<ItemId>{5, 6, 7}));
  EXPECT_EQ(c.domain_specific[1].domain, 1);
  ASSERT_EQ(c.mixed.size(), 3u);  // windows of 3 ending at 6, 4 and 2 items
  EXPECT_EQ(c.mixed[0].items, (std::vector<ItemId>{1, 5}));
  EXPECT_EQ(c.mixed[1].items, (std::vector<ItemId>{5, 2, 6}));
  EXPECT_EQ(c.mixed[2].items, (std::vector<ItemId>{6, 3, 7}));
  EXPECT_TRUE(c.mixed[2].mixed);
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
