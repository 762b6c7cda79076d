// AudioVisualDataset against MMAction2 0.24.1 (tests/fixtures/audio_visual, written by
// tools/fixtures/make_audio_visual_fixtures.py): the video_infos of a small list under
// several prefix settings, what get() hands the pipeline, and errors.
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/datasets/audio_visual_dataset.h"

namespace tubelet::audio_visual_dataset_test {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return test::source_dir() / "tests/fixtures/audio_visual" / name;
}

std::shared_ptr<Dataset> build(const std::string& python_dict) {
  Dict cfg = load_config_text("dataset = " + python_dict, "audio_visual_dataset_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

// Python literal of a JSON value (the fixture's kwargs: str, int, bool, None).
std::string py(const Value& v) {
  if (v.is_none()) return "None";
  if (v.is_bool()) return v.as_bool() ? "True" : "False";
  if (v.is_int()) return std::to_string(v.as_int());
  return "'" + v.as_str() + "'";
}

TEST(AudioVisualDataset, InfosEqualMMAction2) {
  Dict cases = from_json(test::read_text(fixture("expected.json"))).as_dict();
  ASSERT_EQ(cases.size(), 4u);
  for (const auto& [name, c] : cases) {
    const Dict& cd = c.as_dict();
    std::string cfg = "dict(type='AudioVisualDataset', pipeline=[], ann_file='" +
                      fixture(cd.at("file").as_str()).string() + "'";
    for (const auto& [k, v] : cd.at("kwargs").as_dict()) cfg += ", " + k.as_str() + "=" + py(v);
    auto ds = build(cfg + ")");
    const List& infos = cd.at("infos").as_list();
    ASSERT_EQ(ds->size(), static_cast<int64_t>(infos.size())) << name.as_str();
    for (int64_t i = 0; i < ds->size(); ++i)
      EXPECT_EQ(to_json(Value(ds->info(i))), to_json(infos[static_cast<size_t>(i)]))
          << name.as_str() << " " << i;
  }
}

TEST(AudioVisualDataset, IsARawframeDatasetForThePipeline) {
  auto ds = build("dict(type='AudioVisualDataset', pipeline=[], ann_file='" +
                  fixture("list.txt").string() +
                  "', audio_prefix='au', data_prefix='fr', filename_tmpl='{:03}.png')");
  auto* raw = dynamic_cast<RawframeDataset*>(ds.get());
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->filename_tmpl(), "{:03}.png");
  Sample s = ds->get(2, 0);
  EXPECT_EQ(s.info.at("audio_path").as_str(), "au/dir-3.npy");
  EXPECT_EQ(s.info.at("frame_dir").as_str(), "fr/dir-3");
  EXPECT_EQ(s.info.at("filename_tmpl").as_str(), "{:03}.png");
  EXPECT_EQ(s.info.at("start_index").as_int(), 1);
  EXPECT_EQ(s.info.at("label").as_int(), 2);
}

TEST(AudioVisualDataset, Errors) {
  test::TempDir dir;
  // audio_prefix is required (None is allowed).
  EXPECT_NE(test::error_of([&] {
              build("dict(type='AudioVisualDataset', pipeline=[], ann_file='" +
                    fixture("list.txt").string() + "')");
            }).find("audio_prefix"),
            std::string::npos);
  auto no_label = dir.write("l.txt", "d 3\n");
  std::string error = test::error_of([&] {
    build("dict(type='AudioVisualDataset', pipeline=[], audio_prefix='a', ann_file='" +
          no_label.string() + "')");
  });
  EXPECT_NE(error.find("missing label"), std::string::npos) << error;
  EXPECT_NE(error.find("l.txt:1"), std::string::npos) << error;
  EXPECT_NE(test::error_of([&] {
              build("dict(type='AudioVisualDataset', pipeline=[], audio_prefix='a', ann_file='" +
                    fixture("list.txt").string() + "', bogus=1)");
            }).find("bogus"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::audio_visual_dataset_test
