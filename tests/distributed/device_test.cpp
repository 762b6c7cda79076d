#include "tubelet/distributed/device.h"
#include "tubelet/data/device_loader.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

namespace tubelet::device_test {
namespace {

class TwoBatches : public DataLoader {
 public:
  int64_t size() const override { return 2; }
  void start() override { given_ = 0; }
  std::optional<Batch> next() override {
    if (given_ == 2) return std::nullopt;
    Batch b;
    b.tensors.emplace_back("imgs", torch::full({1, 3}, static_cast<float>(given_++)));
    return b;
  }

 private:
  int given_ = 0;
};

TEST(DistDevice, CpuIsTheDefaultAndCudaNeedsAGpu) {
  EXPECT_TRUE(dist::resolve_device("cpu").is_cpu());
  EXPECT_THROW(dist::resolve_device("gpu"), std::invalid_argument);
  if (!torch::cuda::is_available()) {
    try {
      dist::resolve_device("cuda");
      FAIL() << "cuda without CUDA";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("CUDA is not available"), std::string::npos);
    }
  } else {
    EXPECT_TRUE(dist::resolve_device("cuda").is_cuda());
  }
}

TEST(DistDevice, DeviceLoaderPassesBatchesThrough) {
  DeviceLoader loader(std::make_shared<TwoBatches>(), torch::kCPU);
  EXPECT_EQ(loader.size(), 2);
  loader.start();
  EXPECT_EQ(loader.next()->at("imgs")[0][0].item<float>(), 0.0f);
  EXPECT_EQ(loader.next()->at("imgs")[0][0].item<float>(), 1.0f);
  EXPECT_FALSE(loader.next().has_value());
  EXPECT_THROW(DeviceLoader(nullptr, torch::kCPU), std::invalid_argument);
}

}  // namespace
}  // namespace tubelet::device_test
