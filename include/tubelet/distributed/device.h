// Where a run computes: `device = 'cuda'` in the config or `tubelet train --device cuda`
// (default cpu). A CUDA run puts the model on the GPU (in a distributed run, GPU
// LOCAL_RANK % count, as mmcv's init_dist) and the loaders' batches follow through
// DeviceLoader (tubelet/data/device_loader.h).
#pragma once

#include <torch/types.h>

#include <string>

namespace tubelet::dist {

// "cpu", "cuda" or "cuda:N"; a CUDA device needs a LibTorch built with CUDA and a GPU, else
// a clear error. `local_rank` picks the GPU for "cuda" (LOCAL_RANK % number of GPUs).
torch::Device resolve_device(const std::string& name, int local_rank = 0);

// MMAction2's `cudnn_benchmark = True`: cuDNN picks the fastest convolution algorithms for
// the shapes it sees (nothing on a CPU run).
void set_cudnn_benchmark(bool enabled);

// One tensor to `device`: pinned and non-blocking when the target is a GPU (a whole batch:
// tubelet/data/device_loader.h).
torch::Tensor to_device(const torch::Tensor& t, const torch::Device& device);

// Waits until the work queued on `device` is done: CUDA kernels run asynchronously, so a
// timer must wait for them (torch.cuda.synchronize); nothing on the CPU.
void synchronize(const torch::Device& device);
// The most memory the CUDA caching allocator has handed out on `device` since the start or
// the last reset_peak_memory (torch.cuda.max_memory_allocated); 0 on the CPU.
int64_t peak_memory_bytes(const torch::Device& device);
void reset_peak_memory(const torch::Device& device);

}  // namespace tubelet::dist
