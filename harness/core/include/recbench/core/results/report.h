// `recbench report`'s tables: datasets x models, mean ± std over seeds, in Markdown, LaTeX or CSV.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "recbench/core/common/enum_names.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/core/results/published.h"
#include "recbench/core/results/results_file.h"

namespace recbench {

enum class ReportFormat { markdown, latex, csv, html };

//! Spellings of --format (md, latex, csv, html), with the aliases markdown and tex.
inline constexpr EnumNames<ReportFormat, 4> kReportFormats{{"md", "latex", "csv", "html"},
                                                           "report format"};

struct ReportOptions {
  ReportFormat format = ReportFormat::markdown;
  std::vector<std::string> metrics;  //!< empty: every metric found
  std::string baseline;              //!< model label; adds improvement over it (%)
  //! Published numbers (the run's [[reference]] tables): a table of recbench against each, with
  //! the difference and a verdict (md, latex), or extra columns (csv).
  std::vector<PublishedValue> references;
  TiePolicy ties = TiePolicy::pessimistic;  //!< the run's policy, for per-user standard errors
  //! Cells of several device classes or precisions are refused (ConfigError) unless this is set;
  //! then md and latex name the groups under the tables.
  bool allow_mixed_devices = false;
  //! html only: the run (its experiment and environment are printed) and figures to embed
  //! (each a caption and an inline SVG document).
  const RunInfo* run = nullptr;
  std::vector<std::pair<std::string, std::string>> figures;
};

//! datasets x models, mean ± std over seeds, best per dataset in bold (html: one self-contained
//! page with the tables, the figures, the experiment and the environment) (in each metric's
//! direction, from the metric registry); failed cells marked (rules in docs/results-format.md).
//! Metric names are matched as the registry spells them ("ndcg@10" finds NDCG@10). Throws
//! ConfigError for a metric or baseline that is not in the results.
std::string render_report(const std::vector<CellRecord>& cells, const ReportOptions& options);
//! Accepts md/markdown, latex/tex, csv; ConfigError naming the known formats otherwise.
ReportFormat parse_report_format(const std::string& name);

}  // namespace recbench
