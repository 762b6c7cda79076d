// Plugins: loading by path, by name on TUBELET_PLUGIN_PATH, through custom_imports, and the
// errors of each.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/registries.h"
#include "tubelet/plugin.h"

namespace tubelet::plugin_test {
namespace {

using test::error_of;

const std::filesystem::path kPlugin = TUBELET_TEST_PLUGIN;
const std::filesystem::path kDuplicate = TUBELET_TEST_PLUGIN_DUPLICATE;

TEST(Plugin, LoadsByPathAndRegistersItsModules) {
  // The first load says which plugin was loaded, from where (unless an earlier test loaded it).
  const bool loaded_before = dlopen(kPlugin.c_str(), RTLD_NOW | RTLD_NOLOAD) != nullptr;
  testing::internal::CaptureStderr();
  load_plugin(kPlugin.string());
  const std::string said = testing::internal::GetCapturedStderr();
  if (!loaded_before) {
    EXPECT_NE(
        said.find("tubelet: loaded plugin '" + kPlugin.string() + "' from " + kPlugin.string()),
        std::string::npos)
        << said;
  }
  ASSERT_TRUE(BACKBONES().contains("TestPluginLinear"));
  Dict cfg = load_config_text("model = dict(type='TestPluginLinear', width=3)\n", "/tmp/p.py");
  auto model = build_model(cfg.at("model"));
  auto params = model->named_parameters();
  ASSERT_TRUE(params.contains("fc.weight"));
  EXPECT_EQ(params["fc.weight"].sizes(), (std::vector<int64_t>{2, 3}));
  testing::internal::CaptureStderr();
  load_plugin(kPlugin.string());  // a second load is a no-op, not a duplicate registration
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");  // and says nothing
}

TEST(Plugin, ADuplicateRegistrationIsAClearError) {
  load_plugin(kPlugin.string());
  EXPECT_NE(error_of([] { load_plugin(kDuplicate.string()); })
                .find("'TestPluginLinear' is already registered in BACKBONES (register it with "
                      "TUBELET_REGISTER_FORCE to replace it)"),
            std::string::npos);
}

TEST(Plugin, MissingLibrariesAreClearErrors) {
  EXPECT_NE(error_of([] { load_plugin("/nonexistent/libx.so"); }).find("cannot load plugin"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              load_plugin("no_such_plugin_name");
            }).find("plugin 'no_such_plugin_name' not found on the plugin path"),
            std::string::npos);
}

TEST(Plugin, CustomImportsFindsANameOnThePluginPath) {
  setenv("TUBELET_PLUGIN_PATH", ("/nonexistent:" + kPlugin.parent_path().string()).c_str(), 1);
  std::string name = kPlugin.stem().string().substr(3);  // libX.so -> X
  Dict cfg = load_config_text(
      "custom_imports = dict(imports=['" + name + "'], allow_failed_imports=False)\n", "/tmp/p.py");
  EXPECT_EQ(error_of([&] { import_custom_modules(cfg); }), "no error");
  EXPECT_TRUE(BACKBONES().contains("TestPluginLinear"));
  unsetenv("TUBELET_PLUGIN_PATH");
}

TEST(Plugin, CustomImportsFailuresErrorUnlessAllowed) {
  Dict strict = load_config_text("custom_imports = dict(imports=['nope_plugin'])\n", "/tmp/p.py");
  EXPECT_NE(error_of([&] {
              import_custom_modules(strict);
            }).find("/tmp/p.py:1:32: plugin 'nope_plugin' not found"),
            std::string::npos);
  Dict lenient = load_config_text(
      "custom_imports = dict(imports=['nope_plugin'], allow_failed_imports=True)\n", "/tmp/p.py");
  EXPECT_EQ(error_of([&] { import_custom_modules(lenient); }), "no error");
  Dict typo =
      load_config_text("custom_imports = dict(imports=['x'], allow_failed=True)\n", "/tmp/p.py");
  EXPECT_NE(
      error_of([&] { import_custom_modules(typo); }).find("unexpected argument 'allow_failed'"),
      std::string::npos);
}

}  // namespace
}  // namespace tubelet::plugin_test
