// Small helpers shared by the subcommands' option parsing.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace recbench::cli {

namespace po = boost::program_options;

//! Parses `args` against `visible` options plus named positionals; true when --help was asked
//! (the help text is then printed).
inline bool parse_args(const std::vector<std::string>& args, const std::string& usage,
                       po::options_description& visible, const po::options_description& hidden,
                       const po::positional_options_description& positional,
                       po::variables_map& vm) {
  visible.add_options()("help,h", "show this help");
  po::options_description all;
  all.add(visible).add(hidden);
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: " << usage << "\n\n" << visible << "\n";
    return true;
  }
  po::notify(vm);
  return false;
}

}  // namespace recbench::cli
