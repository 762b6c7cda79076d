#include "tubelet/evaluation/localization/numpy_argsort.h"

#include <cmath>
#include <numeric>
#include <utility>

namespace tubelet {

namespace {

// numpy's DOUBLE_LT: NaN sorts after everything.
bool less(double a, double b) {
  return a < b || (std::isnan(b) && !std::isnan(a));
}

// numpy's aheapsort_ on tosort[0, n): the fallback once the recursion is too deep.
void heapsort(const double* v, size_t* tosort, ptrdiff_t n) {
  size_t* a = tosort - 1;  // 1-based heap indexing
  auto sift = [&](ptrdiff_t i, ptrdiff_t size, size_t tmp) {
    for (ptrdiff_t j = i << 1; j <= size;) {
      if (j < size && less(v[a[j]], v[a[j + 1]])) ++j;
      if (!less(v[tmp], v[a[j]])) break;
      a[i] = a[j];
      i = j;
      j += j;
    }
    a[i] = tmp;
  };
  for (ptrdiff_t l = n >> 1; l > 0; --l) sift(l, n, a[l]);
  while (n > 1) {
    size_t tmp = a[n];
    a[n] = a[1];
    n -= 1;
    sift(1, n, tmp);
  }
}

int most_significant_bit(size_t n) {
  int depth = 0;
  while (n >>= 1) ++depth;
  return depth;
}

void insertion_sort(const double* v, size_t* pl, size_t* pr) {
  for (size_t* pi = pl + 1; pi <= pr; ++pi) {
    const size_t vi = *pi;
    const double vp = v[vi];
    size_t* pj = pi;
    size_t* pk = pi - 1;
    while (pj > pl && less(vp, v[*pk])) *pj-- = *pk--;
    *pj = vi;
  }
}

// numpy's aquicksort_: median-of-three partitions down to 16 elements (SMALL_QUICKSORT 15), then
// insertion sort.
void quicksort(const double* v, size_t* tosort, size_t num) {
  constexpr ptrdiff_t kSmall = 15;  // numpy's SMALL_QUICKSORT
  size_t* pl = tosort;
  size_t* pr = tosort + num - 1;
  std::vector<std::pair<size_t*, size_t*>> stack;
  std::vector<int> depths;
  int depth = most_significant_bit(num) * 2;
  for (;;) {
    if (depth < 0) {
      heapsort(v, pl, pr - pl + 1);
    } else {
      while (pr - pl > kSmall) {
        size_t* pm = pl + ((pr - pl) >> 1);
        if (less(v[*pm], v[*pl])) std::swap(*pm, *pl);
        if (less(v[*pr], v[*pm])) std::swap(*pr, *pm);
        if (less(v[*pm], v[*pl])) std::swap(*pm, *pl);
        const double vp = v[*pm];
        size_t* pi = pl;
        size_t* pj = pr - 1;
        std::swap(*pm, *pj);
        for (;;) {
          do ++pi;
          while (less(v[*pi], vp));
          do --pj;
          while (less(vp, v[*pj]));
          if (pi >= pj) break;
          std::swap(*pi, *pj);
        }
        std::swap(*pi, *(pr - 1));
        // The larger side waits on the stack.
        if (pi - pl < pr - pi) {
          stack.emplace_back(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.emplace_back(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push_back(--depth);
      }
      insertion_sort(v, pl, pr);
    }
    if (stack.empty()) break;
    std::tie(pl, pr) = stack.back();
    stack.pop_back();
    depth = depths.back();
    depths.pop_back();
  }
}

}  // namespace

std::vector<size_t> numpy_argsort(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  if (values.size() > 1) quicksort(values.data(), order.data(), values.size());
  return order;
}

}  // namespace tubelet
