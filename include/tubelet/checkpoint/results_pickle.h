// Results files as Python pickles: what MMAction2's tools/test.py --out writes with mmcv.dump
// (pickle protocol 2) and what its tools/analysis/eval_metric.py and report_accuracy.py read
// with mmcv.load.
//
// Writing: the bytes CPython's pickle.dumps(obj, protocol=2) gives for the same objects, memo
// and batching included. A recognizer's results are a list of numpy arrays (one score row per
// video, pickled as numpy 1.x does: numpy.core.multiarray._reconstruct, a numpy.dtype and the
// raw bytes); a localizer's are plain objects (lists of proposal dicts).
//
// Reading: any protocol (0-5 in band) of such objects, through unpickle() with
// UnpickleOptions::numpy_arrays (pickle.h): numpy arrays (_reconstruct or protocol 5's
// _frombuffer, numpy.core or numpy._core) of bool, uint8, int8/16/32/64 and float16/32/64,
// either byte order and C or Fortran order; numpy scalars become Python numbers.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet::checkpoint {

// A list of rows.size(0) numpy arrays, rows[i] each (shape rows.sizes()[1:], rows' dtype:
// float32 for scores). Dtypes: bool, uint8, int8/16/32/64, float16/32/64.
std::string pickle_arrays(const torch::Tensor& rows);

// None, bool, int, float, str, list, tuple and dict values (a range is an error). str dict keys
// are written once and referred to after, as Python does for the literal keys of dicts a
// program builds (dict(score=..., segment=...)); other strings are written each time.
std::string pickle_value(const Value& value);

// A dict of plain values followed by numpy arrays, in that order ({'frame_dir': ...,
// 'label': ..., 'keypoint': array, ...} as MMAction2's pose annotation files hold them).
struct PickleRecord {
  Dict values;  // str keys
  std::vector<std::pair<std::string, torch::Tensor>> arrays;
};

// A list of such dicts, as pickle.dumps(records, protocol=2) writes it with numpy 1.x.
std::string pickle_records(const std::vector<PickleRecord>& records);

// A dict of str keys to numpy arrays ({'video_id,0902': array([[x1, y1, x2, y2, score]]), ...}
// as AVA's person proposal files hold them), as pickle.dumps(d, protocol=2) writes it with
// numpy 1.x; keys in the given order (a repeated key is an error).
std::string pickle_array_dict(const std::vector<std::pair<std::string, torch::Tensor>>& arrays);

// What a results pickle holds. `rows` when the pickle is a list or tuple of numpy arrays of one
// shape (stacked: [N, ...], their dtype; an empty list gives a [0] float tensor); otherwise
// `value`, with every numpy array in it as nested lists of numbers (numpy's tolist()).
struct UnpickledResults {
  std::optional<torch::Tensor> rows;
  Value value;
};

// Reads a results pickle (as pickle.load, up to its STOP). Errors (std::runtime_error) start
// with `what` (the file): "r.pkl: truncated pickle at byte 90", "r.pkl: cannot read a
// collections.Counter object in a results file", "r.pkl: cannot read numpy arrays of dtype 'O8'
// in a results file (...)", ndarray subclasses, arrays whose data do not match their shape,
// a list of arrays of different shapes.
UnpickledResults unpickle_results(std::string_view data, const std::string& what);

}  // namespace tubelet::checkpoint
