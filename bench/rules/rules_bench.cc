// Rules engine throughput: Evaluate() with its full trace (every rule with its inputs, missing
// facts, counterfactuals when a rule fails) on the example schemes, and LoadScheme() time.
// Targets (issue 8): ≥ 200,000 canteen evaluations/s on one core; a scheme loads in < 10 ms.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rules/evaluate.h"
#include "rules/scheme.h"

namespace guichet::rules {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SchemePath(const std::string& name) {
  return std::string(GUICHET_RULES_EXAMPLES) + "/" + name + "/scheme.toml";
}

// Households spread over the brackets, a non-resident, a child sent to review and one with the
// income missing: the mix a town's desk sees.
std::vector<Facts> CanteenCases(const Scheme& scheme) {
  const char* kCases[] = {
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2017-05-04", "ressources_mensuelles": 1200, "nombre_parts": 3})",
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2016-01-20", "ressources_mensuelles": 2150.40, "nombre_parts": 2.5})",
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2019-11-02", "ressources_mensuelles": 3800, "nombre_parts": 3})",
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2015-03-14", "ressources_mensuelles": 6200, "nombre_parts": 2})",
      R"({"commune_residence": "hors_commune", "enfant_scolarise": true, "date_naissance_enfant": "2018-07-30"})",
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2012-06-01", "ressources_mensuelles": 1500, "nombre_parts": 2})",
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2017-05-04"})",
      R"({"commune_residence": "ville", "enfant_scolarise": true, "date_naissance_enfant": "2020-02-29", "ressources_mensuelles": 999.99, "nombre_parts": 2})",
  };
  std::vector<Facts> out;
  for (const char* json : kCases) out.push_back(FactsFromJsonText(scheme, json).value());
  return out;
}

void BM_EvaluateCanteen(benchmark::State& state) {
  const Scheme scheme = LoadSchemeFile(SchemePath("cantine")).value();
  const std::vector<Facts> cases = CanteenCases(scheme);
  const Date as_of = *ParseDate("2025-01-15");
  std::size_t i = 0, trace_entries = 0;
  for (auto _ : state) {
    auto decision = Evaluate(scheme, cases[i++ % cases.size()], as_of);
    trace_entries += decision->trace.size();
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["trace_entries"] =
      benchmark::Counter(static_cast<double>(trace_entries), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_EvaluateCanteen);

// The same with both explanations rendered (what `rules eval` prints).
void BM_EvaluateAndExplainCanteen(benchmark::State& state) {
  const Scheme scheme = LoadSchemeFile(SchemePath("cantine")).value();
  const std::vector<Facts> cases = CanteenCases(scheme);
  const Date as_of = *ParseDate("2025-01-15");
  std::size_t i = 0;
  for (auto _ : state) {
    auto decision = Evaluate(scheme, cases[i++ % cases.size()], as_of);
    std::string fr = Explain(scheme, *decision, Lang::kFr);
    std::string en = Explain(scheme, *decision, Lang::kEn);
    benchmark::DoNotOptimize(fr);
    benchmark::DoNotOptimize(en);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateAndExplainCanteen);

// A refusal: every evaluation also searches a counterfactual (re-evaluating the scheme).
void BM_EvaluateRefusalWithCounterfactual(benchmark::State& state) {
  const Scheme scheme = LoadSchemeFile(SchemePath("aide-seniors")).value();
  const Facts facts =
      FactsFromJsonText(
          scheme,
          R"({"date_naissance": "1950-06-15", "date_installation": "2001-09-01", "vit_seul": true, "ressources_mensuelles": 1500, "en_etablissement": false})")
          .value();
  const Date as_of = *ParseDate("2025-03-01");
  for (auto _ : state) {
    auto decision = Evaluate(scheme, facts, as_of);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateRefusalWithCounterfactual);

void BM_LoadScheme(benchmark::State& state, const std::string& name) {
  const std::string path = SchemePath(name);
  const std::string text = Read(path);
  for (auto _ : state) {
    auto scheme = LoadScheme(text, path);
    if (!scheme.ok()) state.SkipWithError(scheme.status().message().c_str());
    benchmark::DoNotOptimize(scheme);
  }
}
BENCHMARK_CAPTURE(BM_LoadScheme, cantine, std::string("cantine"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LoadScheme, aide_seniors, std::string("aide-seniors"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LoadScheme, stationnement, std::string("stationnement-residentiel"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LoadScheme, travaux, std::string("declaration-travaux"))
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace guichet::rules

BENCHMARK_MAIN();
