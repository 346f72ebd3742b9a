// What a plugin source includes to become loadable: RECBENCH_PLUGIN(name, Class, version, text).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>
#include <torch/version.h>

#include "recbench/data.h"
#include "recbench/export.h"
#include "recbench/params.h"
#include "recbench/plugin_info.h"
#include "recbench/plugin_registry.h"
#include "recbench/precision.h"
#include "recbench/recommender.h"

namespace spdlog {
class logger;
}

namespace recbench {

//! Another model entry of the experiment whose trained artefact a model reads.
struct ModelDependency {
  std::string label;  //!< the entry's label, e.g. "sasrec"
  std::string key;    //!< the parameter that named it, e.g. "id_model" (for error messages)
};

//! Handed to a plugin's constructor. Construction must be cheap (read parameters, build small
//! layers): the host constructs every model once up front to validate configurations. A plugin
//! that only reads it takes `const PluginContext&`; one that declares dependencies takes
//! `PluginContext&`, because depend_on() tells the host something.
struct PluginContext {
  spdlog::logger* log = nullptr;
  torch::Device device = torch::kCPU;
  uint64_t seed = 0;
  const DatasetView* data = nullptr;
  //! Where depend_on() records dependencies (nullptr: the host does not collect them).
  std::vector<ModelDependency>* dependencies = nullptr;

  //! Declares that this model reads the trained artefact of entry `label` (named by parameter
  //! `key`): the host checks the label exists, trains that entry's cell of the same dataset and
  //! seed first, and fails this cell when that one failed.
  void depend_on(const std::string& label, const std::string& key) {
    if (dependencies != nullptr) dependencies->push_back({label, key});
  }
  //! Names of the experiment's pre-training corpora (TrainContext::corpus), for checking a
  //! plugin's corpus option at construction.
  std::vector<std::string> corpora;
  //! The experiment's precision policy (resolved: never `auto`); every model trains and scores
  //! under it (nn::SequentialModel and the LLM layer apply it; recbench/precision.h).
  Precision precision = Precision::fp32;
};

}  // namespace recbench

//! Defines the info probe and factory of plugin NAME (an identifier) implemented by CLASS, whose
//! constructor is CLASS(recbench::Params&, recbench::PluginContext&) (or const PluginContext&).
//! recbench_add_plugin() turns them into the exported aliases (module) or a static registration
//! (tests).
#define RECBENCH_PLUGIN(NAME, CLASS, VERSION, DESCRIPTION)                                 \
  extern "C" const RecbenchPluginInfo recbench_info_##NAME = {RECBENCH_PLUGIN_ABI_VERSION, \
                                                              #NAME,                       \
                                                              VERSION,                     \
                                                              DESCRIPTION,                 \
                                                              RECBENCH_COMPILER_ID,        \
                                                              _GLIBCXX_USE_CXX11_ABI,      \
                                                              RECBENCH_TORCH_VERSION_ID,   \
                                                              RECBENCH_TORCH_BUILD_ID};    \
  std::unique_ptr<::recbench::Recommender> recbench_create_##NAME(                         \
      ::recbench::Params& params, ::recbench::PluginContext& context) {                    \
    return std::make_unique<CLASS>(params, context);                                       \
  }
