// Checkpoints named by URL or model-zoo name: mmcv 1.7.0's tables, torch.hub's cache folder,
// and downloads from a server on 127.0.0.1 (complete or absent, hash-checked, redirects,
// errors, offline mode).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_support.h"
#include "fileio/local_http_server.h"
#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/error.h"
#include "tubelet/fileio/download.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/builder.h"

namespace tubelet::model_cache_test {
namespace {

namespace fs = std::filesystem;

// The whole test binary runs offline unless a test says otherwise: a test that names a real
// URL by mistake fails instead of reaching beyond the machine.
[[maybe_unused]] const bool kOfflineByDefault = [] {
  return ::setenv("TUBELET_OFFLINE", "1", 0) == 0;
}();

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class EnvGuard {
 public:
  EnvGuard(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value->c_str(), 1) : ::unsetenv(name);
  }
  ~EnvGuard() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    names.push_back(entry.path().filename());
  return names;
}

std::string tiny_checkpoint_bytes(const test::TempDir& dir) {
  checkpoint::StateDict sd;
  sd.insert("backbone.w", torch::arange(6, torch::kFloat32).reshape({2, 3}));
  sd.insert("cls_head.b", torch::ones({2}));
  const fs::path path = dir.path() / "made.pth";
  checkpoint::save_checkpoint(path.string(), sd);
  return test::read_text(path);
}

// TORCH_HOME in a temp dir, downloads on, proxies bypassed for 127.0.0.1, a server with one
// small checkpoint at /models/<kName>.
class ModelCache : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!downloads_available())
      GTEST_SKIP() << "this Tubelet was built without libcurl (TUBELET_WITH_DOWNLOAD=OFF)";
    body_ = tiny_checkpoint_bytes(tmp_);
    const fs::path made = tmp_.path() / "made.pth";
    name_ = "tiny-" + sha256_of_file(made).substr(0, 8) + ".pth";
    fs::remove(made);
    server_.route("/models/" + name_, {200, body_, "", std::string::npos});
  }
  void TearDown() override { set_offline(false); }

  fs::path cache_dir() const { return tmp_.path() / "torch" / "hub" / "checkpoints"; }
  std::string url() const { return server_.url("/models/" + name_); }

  test::TempDir tmp_;
  EnvGuard torch_home_{"TORCH_HOME", (tmp_.path() / "torch").string()};
  EnvGuard offline_{"TUBELET_OFFLINE", "0"};
  EnvGuard no_proxy_{"no_proxy", "127.0.0.1"};
  EnvGuard no_proxy_upper_{"NO_PROXY", "127.0.0.1"};
  test::LocalHttpServer server_;
  std::string body_, name_;
};

TEST_F(ModelCache, DownloadsAUrlIntoTheTorchHubCache) {
  const fs::path file = resolve_checkpoint(url());
  EXPECT_EQ(file, cache_dir() / name_);
  EXPECT_EQ(test::read_text(file), body_);
  EXPECT_EQ(names_in(cache_dir()), std::vector<std::string>{name_});  // no temporary left
  auto ckpt = checkpoint::load_checkpoint(url());
  EXPECT_TRUE(ckpt.state_dict.contains("backbone.w"));
}

TEST_F(ModelCache, ACachedFileIsNotDownloadedAgain) {
  resolve_checkpoint(url());
  checkpoint::load_checkpoint(url());
  EXPECT_EQ(server_.hits("/models/" + name_), 1);
  // A file put there by hand (or by PyTorch) is used as it is.
  std::ofstream(cache_dir() / "by-hand.pth") << "x";
  EXPECT_EQ(resolve_checkpoint(server_.url("/by-hand.pth")), cache_dir() / "by-hand.pth");
  EXPECT_EQ(server_.hits("/by-hand.pth"), 0);
}

TEST_F(ModelCache, AHashMismatchKeepsNoFile) {
  server_.route("/bad-deadbeef.pth", {200, body_, "", std::string::npos});
  const std::string e =
      test::error_of([&] { resolve_checkpoint(server_.url("/bad-deadbeef.pth")); });
  EXPECT_NE(e.find("invalid hash value (expected \"deadbeef\""), std::string::npos) << e;
  EXPECT_NE(e.find(server_.url("/bad-deadbeef.pth")), std::string::npos) << e;
  EXPECT_TRUE(names_in(cache_dir()).empty());
}

TEST_F(ModelCache, AnHttpErrorNamesTheUrlAndStatus) {
  const std::string missing = server_.url("/models/missing-0123abcd.pth");
  const std::string e = test::error_of([&] { resolve_checkpoint(missing); });
  EXPECT_NE(e.find("cannot download " + missing), std::string::npos) << e;
  EXPECT_NE(e.find("HTTP status 404"), std::string::npos) << e;
  EXPECT_TRUE(names_in(cache_dir()).empty());
}

TEST_F(ModelCache, AConnectionClosedMidFileKeepsNoFile) {
  server_.route("/cut.pth", {200, body_, "", body_.size() / 2});
  const std::string e = test::error_of([&] { resolve_checkpoint(server_.url("/cut.pth")); });
  EXPECT_NE(e.find("cannot download " + server_.url("/cut.pth")), std::string::npos) << e;
  EXPECT_TRUE(names_in(cache_dir()).empty());
}

TEST_F(ModelCache, RedirectsAreFollowedAndTheFileKeepsTheUrlsName) {
  server_.route("/old/" + name_, {302, "", server_.url("/models/" + name_), std::string::npos});
  const fs::path file = resolve_checkpoint(server_.url("/old/" + name_));
  EXPECT_EQ(file, cache_dir() / name_);
  EXPECT_EQ(test::read_text(file), body_);
}

TEST_F(ModelCache, OfflineSaysWhichFileToPutWhere) {
  for (bool by_flag : {false, true}) {
    EnvGuard env("TUBELET_OFFLINE", by_flag ? "0" : "1");
    set_offline(by_flag);
    const std::string e = test::error_of([&] { resolve_checkpoint(url()); });
    EXPECT_NE(e.find("downloads are off"), std::string::npos) << e;
    EXPECT_NE(e.find("put the file at " + (cache_dir() / name_).string()), std::string::npos) << e;
  }
  EXPECT_EQ(server_.hits("/models/" + name_), 0);
}

TEST_F(ModelCache, TheOfflineOptionOfTheCommandsForbidsDownloads) {
  TUBELET_REQUIRE_COMMAND();
  const fs::path config = tmp_.write(
      "tiny.py",
      "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, num_stages=1, "
      "out_indices=(0, ), strides=(1, ), dilations=(1, )), cls_head=dict(type='TSNHead', "
      "num_classes=2, in_channels=64), test_cfg=dict(average_clips='prob'))\n");
  const std::string args = test::shell_quote(config.string()) + " " + test::shell_quote(url()) +
                           " " + test::shell_quote((tmp_.path() / "none.mp4").string());
  auto r = test::run_tubelet("infer " + args + " --offline", tmp_.path(), "offline");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("downloads are off"), std::string::npos) << r.err;
  EXPECT_EQ(server_.hits("/models/" + name_), 0);
  // Without it the checkpoint comes (and then the missing video stops the command).
  r = test::run_tubelet("infer " + args, tmp_.path(), "online");
  EXPECT_EQ(server_.hits("/models/" + name_), 1) << r.err;
  EXPECT_TRUE(fs::exists(cache_dir() / name_)) << r.err;
}

// A ResNet-18 state dict under torchvision's own key names (Tubelet's ConvModule names mapped
// back), random values: what torch.hub would have cached for torchvision://resnet18.
checkpoint::StateDict torchvision_names(const torch::nn::Module& resnet) {
  checkpoint::StateDict tv;
  for (const auto& item : checkpoint::state_dict(resnet)) {
    std::string key = item.key();
    auto replace = [&](const std::string& from, const std::string& to) {
      const size_t p = key.find(from);
      if (p != std::string::npos) key.replace(p, from.size(), to);
    };
    replace("downsample.conv.", "downsample.0.");
    replace("downsample.bn.", "downsample.1.");
    for (const char* n : {"1", "2"}) {
      replace(std::string("conv") + n + ".conv.", std::string("conv") + n + ".");
      replace(std::string("conv") + n + ".bn.", std::string("bn") + n + ".");
    }
    tv.insert(key, torch::randn_like(item.value().to(torch::kFloat32)).to(item.value().dtype()));
  }
  return tv;
}

TEST_F(ModelCache, AConfigNamingTorchvisionWeightsBuildsWithThemFromTheCache) {
  const std::string model =
      "model = dict(type='ResNet', depth=18, num_stages=1, out_indices=(0, ), strides=(1, ), "
      "dilations=(1, ), pretrained='torchvision://resnet18')\n";
  const std::string e = test::error_of([&] {
    EnvGuard env("TUBELET_OFFLINE", "1");
    build_model(load_config_text(model, "/tmp/tv.py").at("model"));
  });
  EXPECT_NE(e.find("put the file at " + (cache_dir() / "resnet18-f37072fd.pth").string()),
            std::string::npos)
      << e;

  torch::manual_seed(0);
  auto plain = build_model(
      load_config_text(
          "model = dict(type='ResNet', depth=18, num_stages=1, out_indices=(0, ), strides=(1, ), "
          "dilations=(1, ))\n",
          "/tmp/tv.py")
          .at("model"));
  const checkpoint::StateDict tv = torchvision_names(*plain);
  fs::create_directories(cache_dir());
  checkpoint::save_checkpoint((cache_dir() / "resnet18-f37072fd.pth").string(), tv);

  EnvGuard env("TUBELET_OFFLINE", "1");  // from the cache only
  auto resnet = build_model(load_config_text(model, "/tmp/tv.py").at("model"));
  const auto params = resnet->named_parameters();
  EXPECT_TRUE(params["conv1.conv.weight"].equal(tv["conv1.weight"]));
  EXPECT_TRUE(params["conv1.bn.bias"].equal(tv["bn1.bias"]));
  EXPECT_TRUE(params["layer1.1.conv2.conv.weight"].equal(tv["layer1.1.conv2.weight"]));
  EXPECT_TRUE(params["layer1.0.conv1.bn.weight"].equal(tv["layer1.0.bn1.weight"]));
}

TEST_F(ModelCache, MmclsNamesLoadTheBackboneOfAClassifier) {
  fs::create_directories(cache_dir());
  // mmcv's mmcls.json names this file for mmcls://mobilenet_v2.
  const std::string url = checkpoint_location("mmcls://mobilenet_v2");
  const std::string file = url.substr(url.rfind('/') + 1);
  std::ofstream(cache_dir() / file, std::ios::binary) << body_;
  const auto ckpt = checkpoint::load_checkpoint("mmcls://mobilenet_v2");
  ASSERT_EQ(ckpt.state_dict.size(), 1u);
  EXPECT_TRUE(ckpt.state_dict.contains("w"));
}

TEST(ModelZooNames, ResolveAsMmcv170WithTorchvision014) {
  const std::string tv = "https://download.pytorch.org/models/";
  EXPECT_EQ(checkpoint_location("torchvision://resnet50"), tv + "resnet50-0676ba61.pth");
  EXPECT_EQ(checkpoint_location("modelzoo://resnet18"), tv + "resnet18-f37072fd.pth");
  EXPECT_EQ(checkpoint_location("torchvision://ResNet50_Weights.IMAGENET1K_V2"),
            tv + "resnet50-11ad3fa6.pth");
  EXPECT_EQ(checkpoint_location("torchvision://resnet50.default"), tv + "resnet50-11ad3fa6.pth");
  EXPECT_EQ(checkpoint_location("torchvision://mobilenet_v2"), tv + "mobilenet_v2-b0353104.pth");
  const std::string third_party = "https://download.openmmlab.com/pretrain/third_party/";
  EXPECT_EQ(checkpoint_location("open-mmlab://resnet50_caffe"),  // deprecated.json's rename
            third_party + "resnet50_caffe-788b5fa3.pth");
  EXPECT_EQ(checkpoint_location("openmmlab://kin400/i3d_r50_f32s2_k400"),
            third_party + "i3d_r50_f32s2_k400-2c57e077.pth");
  EXPECT_NE(checkpoint_location("mmcls://mobilenet_v2").find("download.openmmlab.com"),
            std::string::npos);
  EXPECT_EQ(checkpoint_location("https://x.org/a-1234abcd.pth"), "https://x.org/a-1234abcd.pth");
  EXPECT_EQ(checkpoint_location("work_dirs/epoch_1.pth"), "work_dirs/epoch_1.pth");

  EXPECT_EQ(checkpoint_scheme("torchvision://resnet50"), "torchvision");
  EXPECT_EQ(checkpoint_scheme("open-mmlab://x"), "openmmlab");
  EXPECT_EQ(checkpoint_scheme("mmcls://x"), "mmcls");
  EXPECT_EQ(checkpoint_scheme("https://x/y.pth"), "http");
  EXPECT_EQ(checkpoint_scheme("y.pth"), "local");
}

TEST(ModelZooNames, UnknownNamesAreConfigErrors) {
  EXPECT_THROW(checkpoint_location("torchvision://resnet5"), ConfigError);
  EXPECT_NE(test::error_of([] {
              checkpoint_location("torchvision://shufflenetv2_x1.5");
            }).find("has no weights"),
            std::string::npos);
  EXPECT_THROW(checkpoint_location("open-mmlab://nothing"), ConfigError);
  EXPECT_THROW(checkpoint_location("mmcls://nothing"), ConfigError);
  EXPECT_THROW(checkpoint_location("s3://bucket/x.pth"), ConfigError);
  EXPECT_THROW(checkpoint_location("pavi://x"), ConfigError);
  EXPECT_EQ(checkpoint_name_problem("torchvision://resnet18"), "");
  const std::string e =
      test::error_of([] { check_checkpoint_name("torchvision://resnet5", "model.backbone"); });
  EXPECT_NE(e.find("model.backbone: pretrained=torchvision://resnet5: 'resnet5' is not in"),
            std::string::npos)
      << e;
}

TEST(ModelZooNames, MmcvHomeTableAddsAndOverridesNames) {
  test::TempDir home;
  EnvGuard mmcv_home("MMCV_HOME", home.path().string());
  home.write("open_mmlab.json",
             R"({"vgg16_caffe": "https://example.org/vgg-00000000.pth", "mine": "w/mine.pth"})");
  EXPECT_EQ(checkpoint_location("open-mmlab://vgg16_caffe"),
            "https://example.org/vgg-00000000.pth");
  EXPECT_EQ(checkpoint_location("open-mmlab://mine"), (home.path() / "w/mine.pth").string());
}

TEST(ModelZooNames, TheCacheFolderFollowsTorchHub) {
  EnvGuard home("HOME", "/home/u");
  {
    EnvGuard torch_home("TORCH_HOME", "/data/torch");
    EXPECT_EQ(torch_hub_checkpoint_dir(), fs::path("/data/torch/hub/checkpoints"));
  }
  EnvGuard torch_home("TORCH_HOME", std::nullopt);
  {
    EnvGuard xdg("XDG_CACHE_HOME", "/cache");
    EXPECT_EQ(torch_hub_checkpoint_dir(), fs::path("/cache/torch/hub/checkpoints"));
  }
  EnvGuard xdg("XDG_CACHE_HOME", std::nullopt);
  EXPECT_EQ(torch_hub_checkpoint_dir(), fs::path("/home/u/.cache/torch/hub/checkpoints"));
  EnvGuard tilde("TORCH_HOME", "~/th");
  EXPECT_EQ(torch_hub_checkpoint_dir(), fs::path("/home/u/th/hub/checkpoints"));
}

TEST(Download, HashPrefixFollowsTorchHubsRegex) {
  EXPECT_EQ(hash_prefix_of("resnet50-0676ba61.pth"), "0676ba61");
  EXPECT_EQ(hash_prefix_of("resnext50-32x4d-0ab1a123.pth"), "0ab1a123");
  EXPECT_EQ(hash_prefix_of("shufflenetv2_x1-5666bf0f80.pth"), "5666bf0f80");
  EXPECT_EQ(hash_prefix_of("vgg_state_dict.pth"), "");
  EXPECT_EQ(hash_prefix_of("tsn_r50_20200614-E508BE42.pth"), "");  // lower-case hex only
}

TEST(Download, Sha256MatchesTheStandardTestVector) {
  test::TempDir dir;
  EXPECT_EQ(sha256_of_file(dir.write("abc.txt", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace tubelet::model_cache_test
