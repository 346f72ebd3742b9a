// Params: defaults, bounds, types, unknown keys, and positions in messages.
#include <gtest/gtest.h>

#include "recbench/error.h"
#include "recbench/params.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

TEST(Params, DefaultsAndGivenValues) {
  Params p("models.m.params", "hidden = 32\nlr = 1\nname = 'x'\n", "exp.toml");
  EXPECT_EQ(p.integer("hidden", 64, "hidden size", 1, 4096), 32);
  EXPECT_EQ(p.integer("layers", 2, "layers"), 2);
  EXPECT_DOUBLE_EQ(p.real("lr", 0.001, "learning rate", 0.0), 1.0);  // ints accepted as floats
  EXPECT_EQ(p.text("name", "y", "a name"), "x");
  EXPECT_FALSE(p.flag("on", false, "a flag"));
  EXPECT_NO_THROW(p.finish());
  EXPECT_NE(p.resolved_toml().find("layers = 2"), std::string::npos);
  EXPECT_EQ(p.specs().size(), 5u);
}

TEST(Params, OutOfRangeNamesFileLineColumnAndBounds) {
  Params p("models.m.params", "\nhidden = -3\n", "exp.toml");
  auto msg = error_of<ConfigError>([&] { p.integer("hidden", 64, "hidden size", 1, 4096); });
  EXPECT_NE(msg.find("exp.toml:2:10: models.m.params.hidden"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 4096]"), std::string::npos) << msg;
}

TEST(Params, WrongTypeIsAnError) {
  Params p("t", "hidden = 'big'\nflag = 1\n", "f.toml");
  EXPECT_NE(error_of<ConfigError>([&] { p.integer("hidden", 1, ""); }).find("expected an integer"),
            std::string::npos);
  EXPECT_NE(
      error_of<ConfigError>([&] { p.flag("flag", false, ""); }).find("expected true or false"),
      std::string::npos);
}

TEST(Params, UnknownKeyListsKnownKeys) {
  Params p("models.m.params", "hiden = 3\n", "exp.toml");
  p.integer("hidden", 64, "hidden size");
  p.real("dropout", 0.5, "dropout");
  auto msg = error_of<ConfigError>([&] { p.finish(); });
  EXPECT_NE(msg.find("exp.toml:1:9: models.m.params.hiden: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("known keys: dropout, hidden"), std::string::npos) << msg;
}

TEST(Params, ChoiceRejectsOthers) {
  Params p("t", "loss = 'mse'\n", "f.toml");
  auto msg = error_of<ConfigError>([&] { p.choice("loss", "ce", {"ce", "bce"}, ""); });
  EXPECT_NE(msg.find("expected one of ce, bce, got 'mse'"), std::string::npos) << msg;
}

TEST(Params, Lists) {
  Params p("t", "ks = [1, 5]\nnames = ['a', 2]\n", "f.toml");
  EXPECT_EQ(p.integers("ks", {10}, ""), (std::vector<int64_t>{1, 5}));
  EXPECT_NE(error_of<ConfigError>([&] { p.texts("names", {}, ""); }).find("expected strings"),
            std::string::npos);
}

TEST(Params, TomlSyntaxErrorHasPosition) {
  auto msg = error_of<ConfigError>([] { Params p("t", "a = = 1\n", "f.toml"); });
  EXPECT_EQ(msg.rfind("f.toml:1:", 0), 0u) << msg;
}

}  // namespace
}  // namespace recbench
