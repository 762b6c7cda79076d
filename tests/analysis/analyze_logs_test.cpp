// analyze-logs on a .log.json written here: curves placed as analyze_logs.py places them,
// cal_train_time against numbers computed by hand, the PNG read back, and the errors.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "support/paths.h"
#include "tubelet/analysis/json_log.h"
#include "tubelet/analysis/log_curve.h"
#include "tubelet/analysis/plot.h"
#include "tubelet/analysis/plot_curve.h"
#include "tubelet/analysis/train_time.h"

namespace tubelet::analysis::analyze_logs_test {
namespace {

std::string train(int epoch, int iter, double time, double loss) {
  return "{\"mode\": \"train\", \"epoch\": " + std::to_string(epoch) +
         ", \"iter\": " + std::to_string(iter) +
         ", \"lr\": 0.01, \"time\": " + std::to_string(time) +
         ", \"data_time\": 0.01, \"loss\": " + std::to_string(loss) + "}\n";
}

std::string val(int epoch, double top1) {
  return "{\"mode\": \"val\", \"epoch\": " + std::to_string(epoch) +
         ", \"iter\": 5, \"lr\": 0.01, \"top1_acc\": " + std::to_string(top1) + "}\n";
}

// Three epochs of 30 iterations logged every 10, each followed by an evaluation.
std::string epoch_log() {
  return "{\"env_info\": \"sys.platform: linux\", \"seed\": 0}\n" + train(1, 10, 0.5, 2.0) +
         train(1, 20, 0.3, 1.5) + train(1, 30, 0.4, 1.2) + val(1, 0.4) + train(2, 10, 0.6, 1.0) +
         train(2, 20, 0.2, 0.9) + train(2, 30, 0.2, 0.8) + val(2, 0.6) + train(3, 10, 0.9, 0.7) +
         train(3, 20, 0.25, 0.6) + train(3, 30, 0.35, 0.5) + val(3, 0.55);
}

TEST(AnalyzeLogsTest, LoadsEpochsAndKeys) {
  test::TempDir dir;
  const JsonLog log = load_json_log(dir.write("run.log.json", epoch_log()));
  ASSERT_EQ(log.epochs.size(), 3u);
  EXPECT_EQ(log.epochs[1].epoch, 2);
  EXPECT_EQ(log.epochs[1].entries.size(), 4u);
  EXPECT_FALSE(log.epochs[0].entries[0].contains("epoch"));
  EXPECT_EQ(log.keys(), (std::vector<std::string>{"lr", "time", "data_time", "loss", "top1_acc"}));
}

TEST(AnalyzeLogsTest, TrainKeysByIterationValMetricsByEpoch) {
  test::TempDir dir;
  const JsonLog log = load_json_log(dir.write("run.log.json", epoch_log()));
  const LogCurve loss = log_curve(log, "loss");
  EXPECT_FALSE(loss.validation);
  EXPECT_EQ(loss.iters, (std::vector<double>{10, 20, 30, 40, 50, 60, 70, 80, 90}));
  EXPECT_EQ(loss.values, (std::vector<double>{2.0, 1.5, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5}));
  const LogCurve top1 = log_curve(log, "top1_acc");
  EXPECT_TRUE(top1.validation);
  EXPECT_EQ(top1.epochs, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(top1.iters, (std::vector<double>{30, 60, 90}));  // the end of each epoch
  EXPECT_EQ(top1.values, (std::vector<double>{0.4, 0.6, 0.55}));

  // An iteration-numbered log (IterBasedRunner, by_epoch=False) is not offset again.
  const JsonLog by_iter = load_json_log(dir.write(
      "iter.log.json", train(1, 10, 0.1, 1) + train(1, 20, 0.1, 1) + train(2, 30, 0.1, 1)));
  EXPECT_EQ(log_curve(by_iter, "loss").iters, (std::vector<double>{10, 20, 30}));
}

TEST(AnalyzeLogsTest, CalTrainTimeByHand) {
  test::TempDir dir;
  const JsonLog log = load_json_log(dir.write("run.log.json", epoch_log()));
  // Without each epoch's first: means 0.35, 0.2, 0.3.
  TrainTime t = cal_train_time(log);
  EXPECT_EQ(t.slowest_epoch, 1);
  EXPECT_NEAR(t.slowest_time, 0.35, 1e-12);
  EXPECT_EQ(t.fastest_epoch, 2);
  EXPECT_NEAR(t.fastest_time, 0.2, 1e-12);
  EXPECT_NEAR(t.std_over_epochs, std::sqrt(0.0116666666666667 / 3), 1e-12);
  EXPECT_NEAR(t.average_iter_time, 1.7 / 6, 1e-12);
  std::ostringstream out;
  print_train_time("run.log.json", t, out);
  EXPECT_EQ(out.str(),
            "-----Analyze train time of run.log.json-----\n"
            "slowest epoch 1, average time is 0.3500\n"
            "fastest epoch 2, average time is 0.2000\n"
            "time std over epochs is 0.0624\n"
            "average iter time: 0.2833 s/iter\n\n");
  // With them: means 0.4, 1/3, 0.5.
  t = cal_train_time(log, true);
  EXPECT_EQ(t.slowest_epoch, 3);
  EXPECT_NEAR(t.slowest_time, 0.5, 1e-12);
  EXPECT_EQ(t.fastest_epoch, 2);
  EXPECT_NEAR(t.fastest_time, 1.0 / 3, 1e-12);
  EXPECT_NEAR(t.average_iter_time, 3.7 / 9, 1e-12);

  const JsonLog single = load_json_log(dir.write("one.log.json", train(1, 10, 0.5, 1)));
  EXPECT_NE(test::error_of([&] { cal_train_time(single); }).find("--include-outliers"),
            std::string::npos);
  EXPECT_NEAR(cal_train_time(single, true).average_iter_time, 0.5, 1e-12);
}

TEST(AnalyzeLogsTest, NiceTicks) {
  EXPECT_EQ(nice_ticks(0, 1).size(), 6u);
  const std::vector<double> ticks = nice_ticks(-0.05, 1.05);
  ASSERT_EQ(ticks.size(), 6u);
  EXPECT_NEAR(ticks[1], 0.2, 1e-12);
  EXPECT_EQ(nice_ticks(3, 97), (std::vector<double>{20, 40, 60, 80}));
  EXPECT_EQ(nice_ticks(0.9, 3.1, 6, 1), (std::vector<double>{1, 2, 3}));  // epochs
}

// Pixels of `bgr` (within 40 per channel) in the image.
int count_colour(const cv::Mat& image, cv::Vec3b bgr) {
  int n = 0;
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x) {
      const cv::Vec3b p = image.at<cv::Vec3b>(y, x);
      n += std::abs(p[0] - bgr[0]) < 40 && std::abs(p[1] - bgr[1]) < 40 &&
           std::abs(p[2] - bgr[2]) < 40;
    }
  return n;
}

TEST(AnalyzeLogsTest, PlotCurveWritesAReadablePng) {
  test::TempDir dir;
  const auto log = dir.write("run.log.json", epoch_log());
  PlotCurveOptions o;
  o.keys = {"loss", "top1_acc"};
  o.title = "TSN on synthetic";
  o.out = dir.path() / "plots" / "curve.png";
  std::ostringstream report;
  plot_curve({log}, o, report);
  EXPECT_EQ(report.str(), "plot curve of " + log.string() + ", metric is loss\nplot curve of " +
                              log.string() +
                              ", metric is top1_acc\nsave curve to: " + o.out.string() + "\n");
  const cv::Mat image = cv::imread(o.out.string());
  ASSERT_FALSE(image.empty());
  EXPECT_EQ(image.cols, 1000);
  EXPECT_EQ(image.rows, 620);
  EXPECT_GT(count_colour(image, {176, 114, 76}), 500);  // the loss curve, first colour
  EXPECT_GT(count_colour(image, {82, 132, 221}), 150);  // top1_acc's line and dots
  EXPECT_GT(count_colour(image, {40, 40, 40}), 1000);   // axes, ticks, labels, title

  PlotOptions plot;
  std::ostringstream ignored;
  auto series = plot_curve_series({log}, o, plot, ignored);
  EXPECT_EQ(plot.xlabel, "iter");
  EXPECT_EQ(series[0].label, log.string() + "_loss");
  o.keys = {"top1_acc"};
  o.legend = {"TSN"};
  series = plot_curve_series({log}, o, plot, ignored);
  EXPECT_EQ(plot.xlabel, "epoch");
  EXPECT_EQ(series[0].label, "TSN");
  EXPECT_EQ(series[0].xs, (std::vector<double>{1, 2, 3}));
}

TEST(AnalyzeLogsTest, Errors) {
  test::TempDir dir;
  const auto log = dir.write("run.log.json", epoch_log());
  PlotCurveOptions o;
  o.keys = {"top5_acc"};
  o.out = dir.path() / "curve.png";
  std::ostringstream report;
  const std::string unknown = test::error_of([&] { plot_curve({log}, o, report); });
  EXPECT_NE(unknown.find("does not contain metric top5_acc"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("lr, time, data_time, loss, top1_acc"), std::string::npos) << unknown;
  EXPECT_FALSE(std::filesystem::exists(o.out));

  const std::string missing =
      test::error_of([&] { load_json_log(dir.path() / "absent.log.json"); });
  EXPECT_NE(missing.find("cannot open the log"), std::string::npos) << missing;
  EXPECT_NE(missing.find("absent.log.json"), std::string::npos) << missing;

  o.keys = {"loss", "top1_acc"};
  o.legend = {"only one"};
  EXPECT_NE(test::error_of([&] { plot_curve({log}, o, report); }).find("--legend"),
            std::string::npos);

  const auto broken = dir.write("broken.log.json", train(1, 10, 0.5, 1) + "{\"mode\": \n");
  const std::string bad = test::error_of([&] { load_json_log(broken); });
  EXPECT_NE(bad.find("line 2"), std::string::npos) << bad;
}

}  // namespace
}  // namespace tubelet::analysis::analyze_logs_test
