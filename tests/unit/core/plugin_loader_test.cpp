// Plugin loading: a real module loads; a non-plugin, a wrong ABI and a missing factory are refused.
#include <gtest/gtest.h>

#include "recbench/core/plugin_loader.h"
#include "recbench/error.h"

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
}

TEST(PluginLoader, ScanKeepsGoodPluginsAndExplainsRefusals) {
  PluginRegistry registry({kFixtures});
  ASSERT_NE(registry.find("pop"), nullptr);
  EXPECT_EQ(registry.rejected().size(), 3u);
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
