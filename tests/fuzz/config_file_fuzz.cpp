// Shared config/credentials files, endpoint URLs and the credential endpoints' JSON/XML answers:
// the parsers must never crash, and what they accept must be consistent.
#include <ddb/aws_config.hpp>

#include "ini_file.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

void fuzz_ini(std::string_view text, ddb::detail::ini_kind kind) {
  ddb::detail::ini_sections out;
  if (ddb::detail::parse_ini(text, kind, out)) return;
  for (auto& [name, props] : out) {
    check(!name.empty());
    for (auto& [key, value] : props) {
      check(!key.empty() && key.find_first_of(" \t=\n") == std::string::npos);
      check(value.empty() || (!is_blank(value.front()) && !is_blank(value.back())));
    }
  }
}

void fuzz_url(std::string_view text) {
  ddb::error_code ec;
  auto u = ddb::parse_endpoint_url(text, ec);
  if (ec) return;
  check(u.port != 0 && !u.host.empty() && !u.path.empty() && u.path.front() == '/');
  // What was accepted must survive a round trip through the Host header form.
  auto again = ddb::parse_endpoint_url(u.scheme + "://" + u.host_header() + u.path, ec);
  check(!ec && again.scheme == u.scheme && again.host == u.host && again.port == u.port &&
        again.path == u.path);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  fuzz_ini(text, ddb::detail::ini_kind::config);
  fuzz_ini(text, ddb::detail::ini_kind::credentials);

  // The whole resolution on the input as both files, with a few environment switches.
  const unsigned char flags = size ? data[size - 1] : 0; // the last byte: seeds can end in a comment
  ddb::shared_config cfg;
  cfg.profile_name = flags & 1 ? "dev" : "default";
  if (!ddb::parse_shared_config(text, text, cfg)) {
    auto env = [flags](std::string_view name) -> std::optional<std::string> {
      if (name == "AWS_EC2_METADATA_DISABLED" && (flags & 2)) return "true";
      if (name == "AWS_PROFILE" && (flags & 1)) return "dev";
      return std::nullopt;
    };
    auto region = ddb::resolve_region(env, cfg);
    ddb::error_code ec;
    auto endpoint = ddb::resolve_endpoint(env, cfg, region.value_or("us-east-1"), ec);
    fuzz_url(endpoint);
    std::string why;
    auto source = ddb::resolve_credential_source(env, cfg, ec, &why);
    check(!ec || source.provider == ddb::credential_provider::none);
    if (source.provider == ddb::credential_provider::static_keys)
      check(!source.keys.access_key_id.empty() && !source.keys.secret_access_key.empty());
  }

  fuzz_url(text);
  ddb::error_code ec;
  auto host = ddb::default_endpoint("dynamodb", text, ec);
  if (!ec) {
    auto u = ddb::parse_endpoint_url(host, ec);
    check(!ec && u.tls() && u.port == 443);
  }

  ddb::parse_iso8601(text);
  auto c = ddb::parse_credentials_json(text, ec);
  check(ec || (!c.access_key_id.empty() && !c.secret_access_key.empty()));
  c = ddb::parse_assume_role_with_web_identity_response(text, ec);
  check(ec || (!c.access_key_id.empty() && !c.session_token.empty() && c.expiration));
  if (auto e = ddb::parse_sts_error(text)) check(!e->code.empty());
  return 0;
}
