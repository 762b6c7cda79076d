// Registries and Args: building from config dicts, and every error a user can meet.
#include <gtest/gtest.h>

#include "support/paths.h"

#include "tubelet/config/config.h"
#include "tubelet/data/registries.h"
#include "tubelet/engine/registries.h"
#include "tubelet/models/registries.h"
#include "tubelet/optim/registries.h"
#include "tubelet/registry.h"

namespace tubelet {
namespace {

using test::error_of;

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};

struct Rect : Shape {
  double w, h;
  Rect(double w_, double h_) : w(w_), h(h_) {}
  double area() const override { return w * h; }
  static std::shared_ptr<Shape> from_config(Args& args) {
    double w = args.required<double>("width");
    double h = args.get("height", 1.0);
    return std::make_shared<Rect>(w, h);
  }
};

struct Scaled : Shape {
  double a;
  explicit Scaled(double a_) : a(a_) {}
  double area() const override { return a; }
};

Registry<Shape>& SHAPES() {
  static Registry<Shape> registry("SHAPES");
  return registry;
}

TUBELET_REGISTER(SHAPES, Rect, Rect::from_config);

Value module_cfg(const std::string& text) {
  return load_config_text(text, "/tmp/configs/x.py").at("m");
}

TEST(Registry, BuildsFromTypeAndArguments) {
  auto shape = SHAPES().build(module_cfg("m = dict(type='Rect', width=2, height=3.5)\n"), {"m"});
  EXPECT_DOUBLE_EQ(shape->area(), 7.0);
  auto square = SHAPES().build(module_cfg("m = dict(type='Rect', width=2)\n"), {"m"});
  EXPECT_DOUBLE_EQ(square->area(), 2.0);
}

TEST(Registry, DefaultArgsFillOnlyMissingKeys) {
  BuildContext context{"m", {}};
  context.default_args.set("height", Value(10));
  context.default_args.set("width", Value(99));
  auto shape = SHAPES().build(module_cfg("m = dict(type='Rect', width=2)\n"), context);
  EXPECT_DOUBLE_EQ(shape->area(), 20.0);
}

TEST(Registry, UnexpectedArgumentNamesModuleKeyPathAndFile) {
  auto cfg = load_config_text(
      "model = dict(\n    backbone=dict(type='Rect', width=1,\n"
      "                  arg4=3))\n",
      "/tmp/configs/x.py");
  std::string e = error_of(
      [&] { SHAPES().build(cfg.at("model").as_dict().at("backbone"), {"model.backbone"}); });
  EXPECT_EQ(e, "Rect: unexpected argument 'arg4' (model.backbone in /tmp/configs/x.py:3:24)");
}

TEST(Registry, UnknownTypeSuggestsTheClosestName) {
  EXPECT_EQ(error_of([&] { SHAPES().build(module_cfg("m = dict(type='Rct', width=1)\n"), {"m"}); }),
            "/tmp/configs/x.py:1:5: 'Rct' is not in the SHAPES registry; did you mean 'Rect'?");
  EXPECT_EQ(error_of([&] { SHAPES().build(module_cfg("m = dict(type='Circle')\n"), {"m"}); }),
            "/tmp/configs/x.py:1:5: 'Circle' is not in the SHAPES registry");
}

TEST(Registry, WrongTypeNamesArgumentExpectedAndGiven) {
  EXPECT_EQ(
      error_of([&] { SHAPES().build(module_cfg("m = dict(type='Rect', width='wide')\n"), {"m"}); }),
      "Rect: argument 'width' expects float, got str 'wide' (m in /tmp/configs/x.py:1:29)");
  EXPECT_NE(error_of([&] {
              SHAPES().build(module_cfg("m = dict(type='Rect')\n"), {"m"});
            }).find("Rect: missing required argument 'width'"),
            std::string::npos);
}

TEST(Registry, MalformedModuleConfigs) {
  EXPECT_NE(error_of([&] {
              SHAPES().build(module_cfg("m = [1]\n"), {"model.x"});
            }).find("a SHAPES module config at model.x must be a dict with a 'type'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              SHAPES().build(module_cfg("m = dict(width=1)\n"), {"m"});
            }).find("has no 'type'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              SHAPES().build(module_cfg("m = dict(type=3)\n"), {"m"});
            }).find("'type' of the SHAPES module config at m must be a str"),
            std::string::npos);
}

TEST(Registry, RegisteringANameTwiceIsAnErrorUnlessForced) {
  Registry<Shape> shapes("TWICE");
  auto creator = [](Args&) -> std::shared_ptr<Shape> { return std::make_shared<Scaled>(1); };
  shapes.add("S", creator);
  EXPECT_EQ(error_of([&] { shapes.add("S", creator); }),
            "'S' is already registered in TWICE (register with force=true to replace it)");
  shapes.add(
      "S", [](Args&) -> std::shared_ptr<Shape> { return std::make_shared<Scaled>(5); }, true);
  EXPECT_DOUBLE_EQ(shapes.build(module_cfg("m = dict(type='S')\n"), {"m"})->area(), 5.0);
}

TEST(Registry, StaticRegistrationErrorsAreReportedNotAborted) {
  detail::register_at_load([] { SHAPES().add("Rect", Rect::from_config); });
  EXPECT_NE(error_of([] { throw_pending_registration_errors(); })
                .find("module registration failed: 'Rect' is already registered in SHAPES "
                      "(register it with TUBELET_REGISTER_FORCE to replace it)"),
            std::string::npos);
  EXPECT_EQ(error_of([] { throw_pending_registration_errors(); }), "no error");  // reported once
}

TEST(Registry, TheNamedRegistriesExist) {
  for (const char* name : {"BACKBONES", "NECKS", "HEADS", "RECOGNIZERS", "LOCALIZERS", "LOSSES",
                           "OPTIMIZERS", "OPTIMIZER_BUILDERS", "HOOKS", "DATASETS", "PIPELINES"}) {
    RegistryBase* r = find_registry(name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->name(), name);
  }
  EXPECT_EQ(find_registry("NOPE"), nullptr);
  {
    Registry<Shape> temporary("TEMPORARY");
    EXPECT_NE(find_registry("TEMPORARY"), nullptr);
  }
  EXPECT_EQ(find_registry("TEMPORARY"), nullptr);
}

TEST(Args, ConvertsListsOptionalsAndRecordsReads) {
  Args args(module_cfg("m = dict(a=[1, 2], b=(0.5, 1), c=None, d='x', e=True, f=dict(k=1))\n"),
            "Mod", "m");
  EXPECT_EQ(args.get("a", std::vector<int64_t>{}), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(args.get("b", std::vector<double>{}), (std::vector<double>{0.5, 1.0}));
  EXPECT_FALSE(args.get("c", std::optional<int64_t>(3)).has_value());
  EXPECT_EQ(args.get("d", "y"), "x");
  EXPECT_TRUE(args.get("e", false));
  EXPECT_EQ(args.get("absent", 7), 7);
  EXPECT_NE(error_of([&] { args.finish(); }).find("unexpected argument 'f'"), std::string::npos);
  EXPECT_EQ(args.get<Dict>("f", Dict()).size(), 1u);
  EXPECT_EQ(error_of([&] { args.finish(); }), "no error");
  EXPECT_NE(error_of([&] {
              args.get("a", std::vector<std::string>{});
            }).find("argument 'a' expects a list or tuple of str, got list [1, 2]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { args.get("e", 1); }).find("expects int, got bool True"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet
