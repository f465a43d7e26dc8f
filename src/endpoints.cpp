#include <ddb/endpoints.hpp>

#include "ascii.hpp"

#include <algorithm>
#include <array>

namespace ddb {

namespace {

// partitions.json: the id, its outputs, the region-name pattern's prefix and explicit regions.
struct partition_entry {
  partition p;
  std::string_view prefix; // the pattern ^PREFIX-\w+-\d+$ ("" for aws: several prefixes)
  std::string_view global; // an explicit region name of the partition
};

constexpr std::array<partition_entry, 7> partitions{{
    {{"aws", "amazonaws.com", "api.aws", true, true}, "", "aws-global"},
    {{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", true, true}, "cn", "aws-cn-global"},
    {{"aws-us-gov", "amazonaws.com", "api.aws", true, true}, "us-gov", "aws-us-gov-global"},
    {{"aws-iso", "c2s.ic.gov", "c2s.ic.gov", true, false}, "us-iso", "aws-iso-global"},
    {{"aws-iso-b", "sc2s.sgov.gov", "sc2s.sgov.gov", true, false}, "us-isob", "aws-iso-b-global"},
    {{"aws-iso-e", "cloud.adc-e.uk", "cloud.adc-e.uk", true, false}, "eu-isoe", ""},
    {{"aws-iso-f", "csp.hci.ic.gov", "csp.hci.ic.gov", true, false}, "us-isof", ""},
}};

bool is_word(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
using detail::is_digit;

// `rest` is "\w+-\d+" (the pattern after the prefix and its '-').
bool word_dash_number(std::string_view rest) noexcept {
  const auto dash = rest.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return false;
  const auto word = rest.substr(0, dash), num = rest.substr(dash + 1);
  return std::all_of(word.begin(), word.end(), is_word) && std::all_of(num.begin(), num.end(), is_digit);
}

bool matches(std::string_view region, std::string_view prefix) noexcept {
  if (!region.starts_with(prefix) || region.size() <= prefix.size() + 1 || region[prefix.size()] != '-')
    return false;
  return word_dash_number(region.substr(prefix.size() + 1));
}

// A DNS label: letters, digits and '-', not starting with '-', 1..63 characters.
bool is_host_label(std::string_view s) noexcept {
  if (s.empty() || s.size() > 63 || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (is_word(c) && c != '_') || c == '-'; });
}

} // namespace

const partition& partition_of(std::string_view region) noexcept {
  for (const auto& e : partitions)
    if (region == e.global) return e.p;
  // The more specific patterns first: us-gov-west-1 also has the shape of the aws pattern.
  for (std::size_t i = 1; i < partitions.size(); ++i)
    if (matches(region, partitions[i].prefix)) return partitions[i].p;
  return partitions[0].p; // the aws pattern (us|eu|ap|...-\w+-\d+), and what no pattern matches
}

std::string dynamodb_endpoint(const endpoint_params& p, error_code& ec, std::string* why) {
  auto fail = [&](const char* reason) {
    ec = client_errc::invalid_config;
    if (why) *why = reason;
    return std::string();
  };
  ec = {};
  const std::string_view region = p.region;
  const bool valid = !region.empty() && region.size() <= 63 &&
                     std::all_of(region.begin(), region.end(),
                                 [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'; });
  if (!valid) {
    fail("the region is empty or not made of a-z, 0-9 and '-'");
    ec = client_errc::invalid_argument; // as default_endpoint
    return {};
  }
  if (region == "local") {
    if (p.use_fips) return fail("FIPS and the local endpoint are not supported together");
    if (p.use_dual_stack) return fail("dual-stack and the local endpoint are not supported together");
    return "http://localhost:8000";
  }
  const partition& part = partition_of(region);
  const std::string r(region);
  if (p.account_id_mode == account_id_endpoint_mode::required && p.account_id.empty())
    return fail("account_id_endpoint_mode is required but the credentials carry no account id");
  const bool account_endpoint = !p.account_id.empty() && part.name == "aws" && !p.use_fips &&
                                !p.use_dual_stack && p.account_id_mode != account_id_endpoint_mode::disabled;
  if (account_endpoint && !is_host_label(p.account_id))
    return fail("the credentials' account id is not a valid host label");
  if (p.use_fips && p.use_dual_stack) {
    if (!part.supports_fips || !part.supports_dual_stack)
      return fail("FIPS and dual-stack are enabled, but this partition does not support one or both");
    return "https://dynamodb-fips." + r + "." + std::string(part.dual_stack_dns_suffix);
  }
  if (p.use_fips) {
    if (!part.supports_fips) return fail("FIPS is enabled but this partition does not support FIPS");
    // GovCloud's regular DynamoDB endpoints are its FIPS endpoints.
    if (part.name == "aws-us-gov") return "https://dynamodb." + r + "." + std::string(part.dns_suffix);
    return "https://dynamodb-fips." + r + "." + std::string(part.dns_suffix);
  }
  if (p.use_dual_stack) {
    if (!part.supports_dual_stack)
      return fail("dual-stack is enabled but this partition does not support it");
    return "https://dynamodb." + r + "." + std::string(part.dual_stack_dns_suffix);
  }
  if (account_endpoint)
    return "https://" + std::string(p.account_id) + ".ddb." + r + "." + std::string(part.dns_suffix);
  return "https://dynamodb." + r + "." + std::string(part.dns_suffix);
}

endpoint_params resolve_endpoint_params(const env_lookup& env, const shared_config& cfg,
                                        std::string_view region, error_code& ec, std::string* why) {
  ec = {};
  endpoint_params p;
  p.region = region;
  auto lower = [](std::string_view v) { return detail::to_lower(v); };
  // The environment variable, else the profile's key; "" when neither is set.
  auto read = [&](const char* var, const char* key) {
    if (auto v = env(var); v && !v->empty()) return std::pair<std::string, std::string>(lower(*v), var);
    if (auto v = cfg.get(key)) return std::pair<std::string, std::string>(lower(*v), key);
    return std::pair<std::string, std::string>();
  };
  auto flag = [&](const char* var, const char* key, bool& out) {
    auto [v, origin] = read(var, key);
    if (v.empty() || v == "false") return true;
    if (v == "true") return out = true;
    ec = client_errc::invalid_config;
    if (why) *why = origin + " must be true or false, not '" + v + "'";
    return false;
  };
  if (!flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", p.use_fips)) return p;
  if (!flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", p.use_dual_stack)) return p;
  auto [mode, origin] = read("AWS_ACCOUNT_ID_ENDPOINT_MODE", "account_id_endpoint_mode");
  if (mode == "required")
    p.account_id_mode = account_id_endpoint_mode::required;
  else if (mode == "disabled")
    p.account_id_mode = account_id_endpoint_mode::disabled;
  else if (!mode.empty() && mode != "preferred") {
    ec = client_errc::invalid_config;
    if (why) *why = origin + " must be preferred, required or disabled, not '" + mode + "'";
  }
  return p;
}

} // namespace ddb
