#include "tools/scenario/allow_list.hpp"

#include <algorithm>

#include "models/ikev2/invariant_kinds.hpp"
#include "tools/scenario/values.hpp"
#include "tools/scenario/yaml_input.hpp"

namespace rekeysim::scenario {

std::vector<std::string> read_allow_list(const YAML::Node& node, const std::string& file,
                                         const std::string& field) {
  const auto& kinds = models::ikev2::invariant_kinds();
  const std::string expected = "a list of invariant kinds, each one of " + join(kinds);
  std::vector<std::string> out;
  auto one = [&](const YAML::Node& n, const std::string& f) {
    const ValueContext v{n, file, f, {file, 1, 1}};
    const std::string k = scalar_text(v, expected);
    if (std::find(kinds.begin(), kinds.end(), k) == kinds.end())
      v.fail("unknown invariant kind " + quoted_with_suggestion(k, kinds), expected);
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  };
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      one(node[i], field + "[" + std::to_string(i) + "]");
  } else if (node.IsScalar()) {
    one(node, field);
  } else if (!node.IsNull()) {
    ValueContext{node, file, field, {file, 1, 1}}.fail("is not a list", expected);
  }
  return out;
}

}  // namespace rekeysim::scenario
