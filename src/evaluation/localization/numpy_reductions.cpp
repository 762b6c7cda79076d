#include "tubelet/evaluation/localization/numpy_reductions.h"

#include <cmath>
#include <stdexcept>

namespace tubelet {

namespace {

// numpy's pairwise summation (DOUBLE_pairwise_sum, FLOAT_pairwise_sum): eight running sums
// inside blocks of up to 128, halves above, in the array's own type.
template <class T>
T pairwise_sum(const T* a, size_t n) {
  if (n < 8) {
    T res = 0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    T r[8];
    for (size_t k = 0; k < 8; ++k) r[k] = a[k];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (size_t k = 0; k < 8; ++k) r[k] += a[i + k];
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

}  // namespace

double numpy_sum(const std::vector<double>& values) {
  // add.reduce starts from its identity, 0.
  return 0. + pairwise_sum(values.data(), values.size());
}

float numpy_sum_float32(const std::vector<float>& values) {
  return 0.f + pairwise_sum(values.data(), values.size());
}

double numpy_mean(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  return numpy_sum(values) / static_cast<double>(values.size());
}

std::vector<double> numpy_linspace(double start, double stop, size_t num) {
  std::vector<double> out(num);
  if (num == 0) return out;
  if (num == 1) return {start};
  const double step = (stop - start) / static_cast<double>(num - 1);
  for (size_t i = 0; i < num; ++i) out[i] = static_cast<double>(i) * step + start;
  out.back() = stop;
  return out;
}

double numpy_trapz(const std::vector<double>& y, const std::vector<double>& x) {
  if (x.size() != y.size()) throw std::invalid_argument("trapz: x and y differ in length");
  std::vector<double> parts;
  for (size_t i = 1; i < y.size(); ++i)
    parts.push_back((x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0);
  return numpy_sum(parts);
}

}  // namespace tubelet
