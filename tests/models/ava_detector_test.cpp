// The AVA detector parts against MMAction2 0.24.1's own classes (fixtures from
// tools/fixtures/make_ava_model_fixtures.py): SingleRoIExtractor3D, BBoxHeadAVA (forward,
// loss and its metrics, get_det_bboxes), a tiny SlowOnly FastRCNN (test results and training
// losses), the state_dict keys of every configs/detection model, and the errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/config/error.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/detectors/fast_rcnn.h"
#include "tubelet/models/roi/assign_sample.h"

namespace ava_detector_test {

using namespace tubelet;

std::map<std::string, torch::Tensor> fixture(const std::string& name) {
  std::map<std::string, torch::Tensor> out;
  auto ck = checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/ava_models" / name).string());
  for (const auto& item : ck.state_dict) out[item.key()] = item.value();
  return out;
}

Value config_value(const std::string& text) {
  return load_config_text("cfg = " + text + "\n", "/tmp/ava_test.py").at("cfg");
}

Args args_of(const std::string& text, const std::string& module) {
  Value v = config_value(text);
  return Args(v, module, "cfg");
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                  const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  if (actual.numel() == 0) return;
  const double diff =
      (actual.to(torch::kDouble) - expected.to(torch::kDouble)).abs().max().item<double>();
  EXPECT_LE(diff, atol) << what;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(AVASingleRoIExtractor3DTest, MatchesMMAction2) {
  auto f = fixture("extractor.pth");
  const std::map<std::string, std::string> cases = {
      {"twopath_avg", "dict(output_size=3, featmap_stride=16)"},
      {"twopath_max_global",
       "dict(output_size=(2, 3), featmap_stride=16, temporal_pool_mode='max', with_global=True)"},
      {"onepath_notpool",
       "dict(output_size=2, featmap_stride=16, with_temporal_pool=False, aligned=False, "
       "sampling_ratio=2)"}};
  for (const auto& [name, text] : cases) {
    Args args = args_of(text, "SingleRoIExtractor3D");
    SingleRoIExtractor3D m(SingleRoIExtractor3DOptions::from_config(args));
    args.finish();
    std::vector<torch::Tensor> feats{f.at("slow")};
    if (name.rfind("twopath", 0) == 0) feats.push_back(f.at("fast"));
    auto [roi_feat, feat] = m->forward(feats, f.at("rois"));
    expect_close(roi_feat, f.at(name), 1e-5, name);
    expect_close(feat, f.at(name + "_feat"), 1e-6, name + " feat");
  }
}

TEST(AVASingleRoIExtractor3DTest, Errors) {
  auto message = [](const std::string& text) {
    return test::error_of([&] {
      Args args = args_of(text, "SingleRoIExtractor3D");
      SingleRoIExtractor3DOptions::from_config(args);
    });
  };
  EXPECT_TRUE(contains(message("dict(roi_layer_type='RoIWarp')"), "roi_layer_type"));
  EXPECT_TRUE(contains(message("dict(temporal_pool_mode='sum')"), "temporal_pool_mode"));
  EXPECT_TRUE(contains(message("dict(output_size=(1, 2, 3))"), "output_size"));
  SingleRoIExtractor3D m(SingleRoIExtractor3DOptions{});
  EXPECT_TRUE(contains(test::error_of([&] {
                         m->forward({torch::zeros({1, 2, 3, 4})}, torch::zeros({1, 5}));
                       }),
                       "[N, C, T, H, W]"));
  EXPECT_TRUE(contains(test::error_of([&] {
                         m->forward({torch::zeros({1, 2, 1, 4, 4})}, torch::zeros({1, 4}));
                       }),
                       "rois must be [K, 5]"));
  EXPECT_TRUE(contains(test::error_of([&] {
                         m->forward({torch::zeros({1, 2, 1, 4, 4})},
                                    torch::tensor({3.f, 0.f, 0.f, 4.f, 4.f}).view({1, 5}));
                       }),
                       "outside the input's batch"));
}

TEST(AVABBoxHeadTest, ForwardLossAndDetBoxesMatchMMAction2) {
  auto f = fixture("bbox_head.pth");
  const std::map<std::string, std::string> cases = {
      {"ml", "dict(in_channels=8, num_classes=6, topk=(2, 3))"},
      {"ml_focal_tmax_savg",
       "dict(in_channels=8, num_classes=6, topk=(1, 4), focal_alpha=3.0, focal_gamma=1.0, "
       "temporal_pool_type='max', spatial_pool_type='avg')"},
      {"sl", "dict(in_channels=8, num_classes=6, multilabel=False, topk=2)"}};
  for (const auto& [name, text] : cases) {
    Args args = args_of(text, "BBoxHeadAVA");
    BBoxHeadAVA head(BBoxHeadAVAOptions::from_config(args));
    args.finish();
    {
      torch::NoGradGuard no_grad;
      head->fc_cls->weight.copy_(f.at(name + ".fc_cls.weight"));
      head->fc_cls->bias.copy_(f.at(name + ".fc_cls.bias"));
    }
    head->eval();
    torch::Tensor score = head->forward(f.at("x"));
    expect_close(score, f.at(name + "_score"), 1e-6, name + " score");
    NamedTensors losses = head->loss(score, f.at("labels"));
    std::string names;
    for (const auto& [n, v] : losses) names += (names.empty() ? "" : ",") + n;
    std::string expected_names;
    for (int64_t c : std::vector<int64_t>(
             f.at(name + "_loss_names").data_ptr<int64_t>(),
             f.at(name + "_loss_names").data_ptr<int64_t>() + f.at(name + "_loss_names").numel()))
      expected_names += char(c);
    EXPECT_EQ(names, expected_names) << name;
    torch::Tensor values = f.at(name + "_loss_values");
    ASSERT_EQ(int64_t(losses.size()), values.numel());
    for (size_t i = 0; i < losses.size(); ++i)
      EXPECT_NEAR(losses[i].second.item<double>(), values[int64_t(i)].item<double>(), 1e-5)
          << name << " " << losses[i].first;
    // The loss back-propagates to fc_cls.
    losses.back().second.backward();
    EXPECT_GT(head->fc_cls->weight.grad().abs().sum().item<double>(), 0);

    AVADetBoxes det =
        head->get_det_bboxes(f.at(name + "_rois"), score, {120, 160}, true, {0.1, 0.2, 0.5, 0.6});
    expect_close(det.bboxes, f.at(name + "_det_bboxes"), 1e-6, name + " det bboxes");
    expect_close(det.scores, f.at(name + "_det_scores"), 1e-6, name + " det scores");
  }
}

TEST(AVABBoxHeadTest, HandComputedMetricsAndErrors) {
  // Two rows: pred {1, 2} vs target {1}: recall 1, precision 1/2; pred {} vs target {0}: 0, 0.
  torch::Tensor pred = torch::tensor({0, 1, 1, 0, 0, 0}, torch::kBool).view({2, 3});
  torch::Tensor target = torch::tensor({0, 1, 0, 1, 0, 0}, torch::kBool).view({2, 3});
  auto [recall, prec] = BBoxHeadAVAImpl::get_recall_prec(pred, target);
  EXPECT_NEAR(recall.item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(prec.item<double>(), 0.25, 1e-6);
  torch::Tensor m =
      BBoxHeadAVAImpl::topk_to_matrix(torch::tensor({0.1f, 0.7f, 0.3f}).view({1, 3}), 2);
  EXPECT_TRUE(torch::equal(m, torch::tensor({0, 1, 1}, torch::kBool).view({1, 3})));

  auto message = [](const std::string& text) {
    return test::error_of([&] {
      Args args = args_of(text, "BBoxHeadAVA");
      BBoxHeadAVAOptions::from_config(args);
    });
  };
  EXPECT_TRUE(contains(message("dict(num_classes=5, topk=(5,))"), "topk"));
  EXPECT_TRUE(contains(message("dict(topk=[3, 5])"), "topk should be int or tuple[int]"));
  EXPECT_TRUE(contains(message("dict(spatial_pool_type='sum')"), "spatial_pool_type"));
  BBoxHeadAVA head(BBoxHeadAVAOptions().in_channels(4).num_classes(3).topk({1}));
  EXPECT_TRUE(contains(test::error_of([&] {
                         head->forward(torch::zeros({2, 5, 1, 2, 2}));
                       }),
                       "in_channels=4"));
  EXPECT_TRUE(contains(test::error_of([&] {
                         head->loss(torch::zeros({2, 3}), torch::zeros({2, 4}));
                       }),
                       "do not match"));
}

TEST(AVAAssignSampleTest, HandComputed) {
  // IoU of (0, 0, 10, 10) and (5, 0, 15, 10): 50 / 150.
  torch::Tensor iou =
      bbox_overlaps(torch::tensor({0.f, 0.f, 10.f, 10.f}).view({1, 4}),
                    torch::tensor({5.f, 0.f, 15.f, 10.f, 0.f, 0.f, 10.f, 10.f}).view({2, 4}));
  EXPECT_NEAR(iou[0][0].item<double>(), 1. / 3, 1e-6);
  EXPECT_NEAR(iou[0][1].item<double>(), 1., 1e-6);
  // bbox2roi skips nothing and numbers the images.
  torch::Tensor rois = bbox2roi({torch::ones({2, 5}), torch::zeros({0, 4}), torch::ones({1, 4})});
  EXPECT_EQ(rois.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(rois[2][0].item<float>(), 2.f);
  EXPECT_TRUE(contains(test::error_of([] { bbox2roi({torch::ones({2, 3})}); }), "bbox2roi"));
  // Assign: proposal 0 matches gt 0 (IoU 1), proposal 1 is negative (IoU 1/3 < 0.5).
  MaxIoUAssignerAVAOptions o;
  o.pos_iou_thr(0.5).neg_iou_thr({0.5});
  torch::Tensor gt = torch::tensor({0.f, 0.f, 10.f, 10.f}).view({1, 4});
  torch::Tensor labels = torch::tensor({1.f, 0.f, 1.f}).view({1, 3});
  AssignResult a = assign_max_iou_ava(
      o, torch::tensor({0.f, 0.f, 10.f, 10.f, 5.f, 0.f, 15.f, 10.f}).view({2, 4}), gt, labels);
  EXPECT_TRUE(torch::equal(a.gt_inds, torch::tensor({1, 0}, torch::kLong)));
  EXPECT_TRUE(torch::equal(a.labels, torch::tensor({1.f, 0.f, 1.f, 0.f, 0.f, 0.f}).view({2, 3})));
  // Sample with the gt added: positives gt + proposal 0, negative proposal 1.
  RandomSamplerOptions so;
  so.num(4).pos_fraction(1);
  SamplingResult s = random_sample(
      so, a, torch::tensor({0.f, 0.f, 10.f, 10.f, 5.f, 0.f, 15.f, 10.f}).view({2, 4}), gt, labels);
  EXPECT_TRUE(torch::equal(s.pos_inds, torch::tensor({0, 1}, torch::kLong)));
  EXPECT_TRUE(torch::equal(s.neg_inds, torch::tensor({2}, torch::kLong)));
  EXPECT_TRUE(torch::equal(s.pos_is_gt, torch::tensor({1, 0}, torch::kUInt8)));
  // Sampling caps: at most num * pos_fraction positives.
  so.num(1);
  SamplingResult capped = random_sample(
      so, a, torch::tensor({0.f, 0.f, 10.f, 10.f, 5.f, 0.f, 15.f, 10.f}).view({2, 4}), gt, labels);
  EXPECT_EQ(capped.pos_inds.numel(), 1);
  EXPECT_EQ(capped.neg_inds.numel(), 0);
  auto [t_labels, t_weights] = bbox_target({s}, 2.0);
  EXPECT_EQ(t_labels.sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(torch::equal(t_weights, torch::tensor({2.f, 2.f, 1.f})));
  // Without negatives MMAction2's label_weight[-0:] = 1 sets every weight to 1.
  EXPECT_TRUE(torch::equal(bbox_target({capped}, 2.0).second, torch::tensor({1.f})));
  // bbox2result: multi-label thresholds and single-label (negative thr) argmax.
  torch::Tensor boxes = torch::tensor({0.f, 0.f, 1.f, 1.f, 0.f, 0.f, .5f, .5f}).view({2, 4});
  torch::Tensor scores = torch::tensor({.9f, .2f, .6f, .9f, .7f, .1f}).view({2, 3});
  auto multi = bbox2result(boxes, scores, 3, {0.5});
  ASSERT_EQ(multi.size(), 2u);
  ASSERT_EQ(multi[0].size(0), 1);  // class 1: box 1 (0.7)
  ASSERT_EQ(multi[1].size(0), 1);  // class 2: box 0 (0.6)
  EXPECT_FLOAT_EQ(multi[0][0][4].item<float>(), .7f);
  EXPECT_FLOAT_EQ(multi[1][0][2].item<float>(), 1.f);
  auto single = bbox2result(boxes, scores, 3, {-1.0});
  EXPECT_EQ(single[0].size(0), 1);
  EXPECT_EQ(single[1].size(0), 1);
  EXPECT_FLOAT_EQ(single[0][0][4].item<float>(), .7f);
}

const char* kTinyFastRCNN = R"(dict(
    type='FastRCNN',
    backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, pretrained2d=False,
                  lateral=False, num_stages=4, base_channels=2, conv1_kernel=(1, 7, 7),
                  conv1_stride_t=1, pool1_stride_t=1, spatial_strides=(1, 2, 2, 1)),
    roi_head=dict(
        type='AVARoIHead',
        bbox_roi_extractor=dict(type='SingleRoIExtractor3D', roi_layer_type='RoIAlign',
                                output_size=4, with_temporal_pool=True, temporal_pool_mode='max'),
        shared_head=dict(type='ACRNHead', in_channels=32, out_channels=8),
        bbox_head=dict(type='BBoxHeadAVA', in_channels=8, num_classes=5, topk=(2, 3),
                       multilabel=True, dropout_ratio=0.5)),
    train_cfg=dict(rcnn=dict(
        assigner=dict(type='MaxIoUAssignerAVA', pos_iou_thr=0.9, neg_iou_thr=0.9, min_pos_iou=0.9),
        sampler=dict(type='RandomSampler', num=32, pos_fraction=1, neg_pos_ub=-1,
                     add_gt_as_proposals=True),
        pos_weight=1.0, debug=False)),
    test_cfg=dict(rcnn=dict(action_thr=0.598))))";

std::shared_ptr<FastRCNNImpl> tiny_detector(std::map<std::string, torch::Tensor>& f) {
  auto model = std::dynamic_pointer_cast<FastRCNNImpl>(build_model(config_value(kTinyFastRCNN)));
  EXPECT_TRUE(model);
  checkpoint::StateDict weights;
  for (const auto& item :
       checkpoint::load_checkpoint(
           (test::source_dir() / "tests/fixtures/ava_models/detector.pth").string())
           .state_dict)
    if (item.key().rfind("backbone.", 0) == 0 || item.key().rfind("roi_head.", 0) == 0)
      weights.insert(item.key(), item.value());
  checkpoint::StateDict ours = checkpoint::state_dict(*model);
  EXPECT_EQ(ours.size(), weights.size());
  for (size_t i = 0; i < std::min(ours.size(), weights.size()); ++i) {
    EXPECT_EQ(ours[i].key(), weights[i].key());
    EXPECT_EQ(ours[i].value().sizes(), weights[i].value().sizes()) << weights[i].key();
  }
  checkpoint::load_state_dict(*model, weights, /*strict=*/true);
  model->eval();
  (void)f;
  return model;
}

torch::Tensor tiny_img() {
  return (torch::arange(2 * 3 * 2 * 48 * 64, torch::kFloat) * 0.37).sin().view({2, 3, 2, 48, 64}) *
         2;
}

TEST(AVAFastRCNNTest, TestAndTrainMatchMMAction2Composition) {
  auto f = fixture("detector.pth");
  auto model = tiny_detector(f);
  torch::Tensor img = tiny_img();
  Batch batch;
  batch.tensors.emplace_back("img", img.slice(0, 0, 1));
  batch.lists.emplace_back("proposals", std::vector<torch::Tensor>{f.at("proposals.0")});
  Dict meta;
  meta.set("img_shape", Value::list({Value(48), Value(64)}));
  batch.metas.push_back(meta);
  torch::NoGradGuard no_grad;
  ASSERT_TRUE(model->gives_records());
  List records = model->test_records(batch);
  ASSERT_EQ(records.size(), 1u);
  const List& classes = records[0].as_list();
  ASSERT_EQ(classes.size(), 4u);
  for (size_t c = 0; c < classes.size(); ++c) {
    torch::Tensor expected = f.at("result." + std::to_string(c));
    const List& rows = classes[c].as_list();
    ASSERT_EQ(int64_t(rows.size()), expected.size(0)) << "class " << c + 1;
    for (size_t r = 0; r < rows.size(); ++r)
      for (int64_t k = 0; k < 5; ++k)
        EXPECT_NEAR(rows[r].as_list()[size_t(k)].as_float(), expected[int64_t(r)][k].item<double>(),
                    1e-5)
            << "class " << c + 1 << " row " << r << " col " << k;
  }

  // Training losses (eval mode: no dropout; every candidate is sampled, so no randomness).
  Batch train;
  train.tensors.emplace_back("img", img);
  for (const char* name : {"proposals", "gt_bboxes", "gt_labels"})
    train.lists.emplace_back(name, std::vector<torch::Tensor>{f.at(std::string(name) + ".0"),
                                                              f.at(std::string(name) + ".1")});
  StepOutputs out = model->train_step(train);
  torch::Tensor expected = f.at("loss_values");
  const std::vector<std::string> names = {"recall@thr=0.5", "prec@thr=0.5", "recall@top2",
                                          "prec@top2",      "recall@top3",  "prec@top3",
                                          "loss_action_cls"};
  ASSERT_EQ(out.log_vars.size(), names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(out.log_vars[i].first, names[i]);
    EXPECT_NEAR(out.log_vars[i].second, expected[int64_t(i)].item<double>(), 1e-5) << names[i];
  }
  EXPECT_EQ(out.log_vars.back().first, "loss");
  EXPECT_EQ(out.num_samples, 2);
}

TEST(AVAFastRCNNTest, TrainStepBackpropagates) {
  auto f = fixture("detector.pth");
  auto model = tiny_detector(f);
  model->train();
  Batch train;
  train.tensors.emplace_back("img", tiny_img());
  for (const char* name : {"proposals", "gt_bboxes", "gt_labels"})
    train.lists.emplace_back(name, std::vector<torch::Tensor>{f.at(std::string(name) + ".0"),
                                                              f.at(std::string(name) + ".1")});
  StepOutputs out = model->train_step(train);
  out.loss.backward();
  EXPECT_GT(model->roi_head->bbox_head->fc_cls->weight.grad().abs().sum().item<double>(), 0);
  EXPECT_GT(model->backbone->parameters()[0].grad().abs().sum().item<double>(), 0);
}

TEST(AVAFastRCNNTest, Errors) {
  auto f = fixture("detector.pth");
  auto model = tiny_detector(f);
  torch::NoGradGuard no_grad;
  Batch batch;
  batch.tensors.emplace_back("img", tiny_img());
  // No proposals collected.
  EXPECT_TRUE(contains(test::error_of([&] { model->train_step(batch); }), "'proposals'"));
  // Boxes of the wrong shape.
  std::vector<torch::Tensor> proposals{f.at("proposals.0"), f.at("proposals.1")};
  batch.lists.emplace_back("proposals", proposals);
  batch.lists.emplace_back("gt_bboxes",
                           std::vector<torch::Tensor>{torch::zeros({2, 3}), torch::zeros({1, 3})});
  batch.lists.emplace_back("gt_labels",
                           std::vector<torch::Tensor>{f.at("gt_labels.0"), f.at("gt_labels.1")});
  EXPECT_TRUE(
      contains(test::error_of([&] { model->train_step(batch); }), "gt_bboxes must be [k, 4]"));
  // One proposal list for two images.
  Batch short_batch;
  short_batch.tensors.emplace_back("img", tiny_img());
  short_batch.lists.emplace_back("proposals", std::vector<torch::Tensor>{f.at("proposals.0")});
  short_batch.lists.emplace_back("gt_bboxes", std::vector<torch::Tensor>{f.at("gt_bboxes.0")});
  short_batch.lists.emplace_back("gt_labels", std::vector<torch::Tensor>{f.at("gt_labels.0")});
  EXPECT_TRUE(
      contains(test::error_of([&] { model->train_step(short_batch); }), "for a batch of 2 images"));
  // Testing needs img_shape.
  Batch test_batch;
  test_batch.tensors.emplace_back("img", tiny_img().slice(0, 0, 1));
  test_batch.lists.emplace_back("proposals", std::vector<torch::Tensor>{f.at("proposals.0")});
  test_batch.metas.push_back(Dict());
  EXPECT_TRUE(contains(test::error_of([&] { model->test_records(test_batch); }), "img_shape"));
  // A 4-D image.
  EXPECT_TRUE(contains(test::error_of([&] {
                         model->extract_feat(torch::zeros({1, 3, 32, 32}));
                       }),
                       "[N, C, T, H, W]"));

  // Config errors name the module and the argument.
  auto build_error = [](const std::string& from, const std::string& to) {
    std::string text = kTinyFastRCNN;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    return test::error_of([&] { build_model(config_value(text)); });
  };
  EXPECT_TRUE(contains(build_error("roi_layer_type='RoIAlign'", "roi_layer_type='RoIWarp'"),
                       "roi_layer_type"));
  EXPECT_TRUE(contains(build_error("type='AVARoIHead'", "type='StandardRoIHead'"), "AVARoIHead"));
  EXPECT_TRUE(contains(build_error("type='RandomSampler'", "type='OHEMSampler'"), "RandomSampler"));
  EXPECT_TRUE(contains(build_error("pos_iou_thr=0.9,", ""), "pos_iou_thr"));
  EXPECT_TRUE(contains(build_error("action_thr=0.598", "action_thr=0.598, nms=0.5"), "nms"));
  EXPECT_TRUE(contains(build_error("in_channels=32,", "in_channels=32, depth=2,"), "depth"));
}

TEST(AVAFastRCNNTest, DetectionConfigsHaveMMAction2Keys) {
  Value keys =
      from_json(test::read_text(test::source_dir() / "tests/fixtures/ava_models/keys.json"));
  const List& backbones = keys.as_dict().at("backbones").as_list();
  auto decode = [](const List& encoded,
                   std::vector<std::pair<std::string, std::vector<int64_t>>>& out) {
    std::string prev;
    for (const Value& e : encoded) {
      const List& item = e.as_list();
      std::string key = prev.substr(0, size_t(item[0].as_int())) + item[1].as_str();
      std::vector<int64_t> shape;
      for (const Value& d : item[2].as_list()) shape.push_back(d.as_int());
      out.emplace_back(key, shape);
      prev = key;
    }
  };
  int checked = 0;
  for (const auto& [name, entry] : keys.as_dict().at("configs").as_dict()) {
    SCOPED_TRACE(name.as_str());
    std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
    decode(backbones[size_t(entry.as_dict().at("backbone").as_int())].as_list(), expected);
    decode(entry.as_dict().at("heads").as_list(), expected);
    auto model = build_model(config_value(entry.as_dict().at("model").as_str()));
    checkpoint::StateDict sd = checkpoint::state_dict(*model);
    std::vector<std::pair<std::string, std::vector<int64_t>>> actual;
    for (const auto& item : sd) actual.emplace_back(item.key(), item.value().sizes().vec());
    // The same keys, shapes and order (the non-local blocks included).
    EXPECT_EQ(actual, expected);
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

}  // namespace ava_detector_test
