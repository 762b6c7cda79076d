// numpy's order of floating-point operations for the few reductions the localization metrics
// use, so that AR@AN, AUC and mAP agree with MMAction2's to the last bit where possible.
#pragma once

#include <cstddef>
#include <vector>

namespace tubelet {

// np.add.reduce of a contiguous or strided float64 array: numpy's pairwise summation.
double numpy_sum(const std::vector<double>& values);
// The same over float32, summed in float32 as numpy does.
float numpy_sum_float32(const std::vector<float>& values);
// np.mean: numpy_sum / n (NaN when empty).
double numpy_mean(const std::vector<double>& values);
// np.linspace(start, stop, num) with its endpoint.
std::vector<double> numpy_linspace(double start, double stop, size_t num);
// np.trapz(y, x).
double numpy_trapz(const std::vector<double>& y, const std::vector<double>& x);

}  // namespace tubelet
