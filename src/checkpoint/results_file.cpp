#include "tubelet/checkpoint/results_file.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/config/dump.h"
#include "tubelet/fileio/atomic_file.h"

namespace tubelet {

namespace results_file_impl {
namespace {

enum class Format { kJson, kPickle };

// mmcv's rule: the text after the last dot names the handler.
Format format_of(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return Format::kJson;
  if (ext == ".pkl" || ext == ".pickle") return Format::kPickle;
  if (ext == ".yaml" || ext == ".yml")
    throw std::invalid_argument(path.string() +
                                ": YAML results files are not supported (use .json or .pkl)");
  throw std::invalid_argument(path.string() + ": unsupported results format '" +
                              (ext.empty() ? std::string() : ext.substr(1)) +
                              "' (use .json, .pkl or .pickle)");
}

void make_parent(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

// A JSON list of lists of numbers, all of one length: score rows.
std::optional<torch::Tensor> json_rows(const Value& v) {
  if (!v.is_list() || v.as_list().empty()) return std::nullopt;
  const List& items = v.as_list();
  size_t width = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_list()) return std::nullopt;
    const List& row = items[i].as_list();
    if (i == 0) width = row.size();
    if (row.size() != width) return std::nullopt;
    for (const Value& x : row)
      if (!x.is_int() && !x.is_float()) return std::nullopt;
  }
  torch::Tensor rows = torch::empty(
      {static_cast<int64_t>(items.size()), static_cast<int64_t>(width)}, torch::kDouble);
  auto a = rows.accessor<double, 2>();
  for (size_t i = 0; i < items.size(); ++i)
    for (size_t j = 0; j < width; ++j)
      a[static_cast<int64_t>(i)][static_cast<int64_t>(j)] = items[i].as_list()[j].as_float();
  return rows;
}

}  // namespace
}  // namespace results_file_impl

bool is_results_file_name(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".json" || ext == ".pkl" || ext == ".pickle";
}

ResultsFile load_results_file(const std::filesystem::path& path) {
  const results_file_impl::Format format = results_file_impl::format_of(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open results file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read results file " + path.string());
  ResultsFile out;
  if (format == results_file_impl::Format::kPickle) {
    checkpoint::UnpickledResults r = checkpoint::unpickle_results(text.str(), path.string());
    out.rows = std::move(r.rows);
    out.value = std::move(r.value);
  } else {
    out.value = from_json(text.str(), path.string());
    if (out.value.is_list() && out.value.as_list().empty()) {
      out.rows = torch::empty({0});
    } else if ((out.rows = results_file_impl::json_rows(out.value))) {
      out.value = Value();
    }
  }
  return out;
}

void dump_rows_file(const torch::Tensor& rows, const std::filesystem::path& path) {
  const results_file_impl::Format format = results_file_impl::format_of(path);
  results_file_impl::make_parent(path);
  if (format == results_file_impl::Format::kPickle) {
    write_file_atomically(path, checkpoint::pickle_arrays(rows));
    return;
  }
  List out;
  auto r = rows.detach().to(torch::kCPU, torch::kDouble).contiguous();
  for (int64_t i = 0; i < r.size(0); ++i) {
    List row;
    auto flat = r[i].flatten();
    auto a = flat.accessor<double, 1>();
    for (int64_t j = 0; j < flat.numel(); ++j) row.push_back(Value(a[j]));
    out.push_back(Value::list(std::move(row)));
  }
  write_file_atomically(path, to_json(Value::list(std::move(out)), -1) + "\n");
}

void dump_value_file(const Value& value, const std::filesystem::path& path) {
  const results_file_impl::Format format = results_file_impl::format_of(path);
  results_file_impl::make_parent(path);
  write_file_atomically(path, format == results_file_impl::Format::kPickle
                                  ? checkpoint::pickle_value(value)
                                  : to_json(value, -1));
}

}  // namespace tubelet
