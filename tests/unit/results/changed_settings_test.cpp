// What `--resume` compares before it skips a complete cell: the settings in which a stored cell's
// configuration differs from the experiment's now, and what the report warns of.
#include <gtest/gtest.h>

#include "recbench/core/results/results_file.h"

namespace recbench {
namespace {

std::string config(const std::string& params, const std::string& evaluation,
                   const std::string& cell = "threads = 2\ndevice = 'cpu'") {
  return "[cell]\n" + cell + "\n[params]\n" + params + "\n[evaluation]\n" + evaluation + "\n";
}

TEST(ChangedSettings, NamesEachParameterOrProtocolSettingThatDiffers) {
  const auto stored =
      config("epochs = 20\nlr = 0.001\nlayers = [64, 64]", "mode = 'full'\ntopk = [10]");
  EXPECT_TRUE(changed_settings(stored, stored).empty());
  const auto now = config("epochs = 200\nlr = 0.001\nlayers = [64, 32]\ndropout = 0.5",
                          "mode = 'full'\ntopk = [10, 20]");
  EXPECT_EQ(
      changed_settings(stored, now),
      (std::vector<std::string>{
          "evaluation.topk: [ 10 ] there, [ 10, 20 ] now", "params.dropout: absent there, 0.5 now",
          "params.epochs: 20 there, 200 now", "params.layers: [ 64, 64 ] there, [ 64, 32 ] now"}));
  EXPECT_EQ(changed_settings(now, stored).size(), 4u);
}

TEST(ChangedSettings, DeviceThreadsAndEvaluationBatchDoNotCount) {
  const auto stored = config("epochs = 20", "mode = 'full'\nbatch_size = 512");
  const auto now =
      config("epochs = 20", "mode = 'full'\nbatch_size = 64", "threads = 1\ndevice = 'cuda'");
  EXPECT_TRUE(changed_settings(stored, now).empty());
}

TEST(ChangedSettings, AKeyDeclaredLaterAtItsDefaultIsNoChange) {
  // A cell written before the plugin declared group_by_length, against one written after.
  const auto older = config("epochs = 20", "mode = 'full'");
  const auto newer = config("epochs = 20\ngroup_by_length = true", "mode = 'full'") +
                     "[defaults]\nepochs = 50\ngroup_by_length = true\n";
  EXPECT_TRUE(changed_settings(older, newer).empty());
  EXPECT_TRUE(changed_settings(newer, older).empty());  // the report compares either way round
  // Set away from its default, the key is a setting that changed.
  const auto set = config("epochs = 20\ngroup_by_length = false", "mode = 'full'") +
                   "[defaults]\nepochs = 50\ngroup_by_length = true\n";
  EXPECT_EQ(changed_settings(older, set),
            std::vector<std::string>{"params.group_by_length: absent there, false now"});
  // Without a [defaults] table on either side nothing says what the default is.
  EXPECT_EQ(changed_settings(older, config("epochs = 20\ngroup_by_length = true", "")).size(), 2u);
  // A key both sides hold is compared as before, whatever the default.
  EXPECT_EQ(changed_settings(config("epochs = 50", ""), newer).size(), 2u);
}

}  // namespace
}  // namespace recbench
