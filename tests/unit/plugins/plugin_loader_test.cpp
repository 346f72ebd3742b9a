// Plugin loading: a real module loads; a non-plugin, a wrong ABI and a missing factory are refused.
#include <gtest/gtest.h>

#include "recbench/core/plugins/plugin_loader.h"
#include "recbench/error.h"
#include "recbench/plugin_info.h"

namespace recbench {
namespace {

const std::filesystem::path kFixtures = RECBENCH_TEST_FIXTURE_PLUGIN_DIR;

std::string load_error(const std::filesystem::path& file) {
  try {
    PluginRegistry::load_module(file);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLoader, LoadsARealModuleAndChecksItsProbe) {
  LoadedPlugin p = PluginRegistry::load_module(kFixtures / "recbench_pop.so");
  EXPECT_EQ(p.name, "pop");
  EXPECT_EQ(p.version, "1.0");
  EXPECT_FALSE(p.description.empty());
  EXPECT_NE(p.factory, nullptr);
  EXPECT_EQ(p.origin, (kFixtures / "recbench_pop.so").string());
}

TEST(PluginLoader, RefusesWrongAbiNamingBothVersions) {
  auto msg = load_error(kFixtures / "recbench_wrong_abi.so");
  EXPECT_NE(msg.find("recbench_wrong_abi.so"), std::string::npos) << msg;
  EXPECT_NE(msg.find("plugin ABI version " + std::to_string(RECBENCH_PLUGIN_ABI_VERSION + 41) +
                     ", host expects " + std::to_string(RECBENCH_PLUGIN_ABI_VERSION)),
            std::string::npos)
      << msg;
}

TEST(PluginLoader, RefusesLibraryWithoutProbe) {
  auto msg = load_error(kFixtures / "recbench_not_a_plugin.so");
  EXPECT_NE(msg.find("not a recbench plugin"), std::string::npos) << msg;
}

TEST(PluginLoader, RefusesMissingFactory) {
  auto msg = load_error(kFixtures / "recbench_no_factory.so");
  EXPECT_NE(msg.find("no recbench_plugin_factory"), std::string::npos) << msg;
}

TEST(PluginLoader, RefusesFileThatIsNoLibrary) {
  auto msg = load_error(std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "recbench_garbage.so");
  EXPECT_NE(msg.find("recbench_garbage.so: cannot load"), std::string::npos) << msg;
  // The dynamic loader's reason, not an errno such as "Bad file descriptor".
  EXPECT_NE(msg.find("not a shared library"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("Bad file descriptor"), std::string::npos) << msg;
}

TEST(PluginLoader, RefusesOtherLibTorchBuildNamingBoth) {
  auto msg = load_error(kFixtures / "recbench_other_torch_build.so");
  const std::string host = RECBENCH_TORCH_BUILD_ID;
  const std::string other = host == "cpu" ? "cuda" : "cpu";
  EXPECT_NE(msg.find("(" + other + "), host uses " RECBENCH_TORCH_VERSION_ID " (" + host + ")"),
            std::string::npos)
      << msg;
}

TEST(PluginLoader, OpensOnlyTheModulesAskedFor) {
  PluginRegistry registry({kFixtures});
  EXPECT_EQ(registry.plugins().count("pop"), 1u);  // statically linked into the test binary
  EXPECT_EQ(registry.require("pop").origin, "(static)");
  EXPECT_TRUE(registry.rejected().empty());  // the broken modules were never opened
}

TEST(PluginLoader, ScanKeepsGoodPluginsAndExplainsRefusals) {
  PluginRegistry registry({kFixtures});
  registry.load_all();
  ASSERT_EQ(registry.plugins().count("pop"), 1u);
  EXPECT_EQ(registry.rejected().size(), 4u);
  // Statically linked plugins are always there; a refused one is explained when asked for.
  try {
    registry.require("wrong_abi");
    FAIL() << "expected an error";
  } catch (const PluginError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("unknown plugin 'wrong_abi'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("known plugins:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("host expects"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace recbench
