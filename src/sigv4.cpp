#include <ddb/sigv4.hpp>

#include "crypto.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace ddb::sigv4 {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::size_t amz_date_size = 16; // 20150830T123600Z
constexpr std::size_t hex_size = 64;      // a SHA-256 in hex

bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void append_encoded(std::string& out, std::string_view s, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      const char escaped[3] = {'%', digits[c >> 4], digits[c & 0xf]};
      out.append(escaped, 3);
    }
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX; a '%' not followed by two hex digits stays as it is (and is encoded later).
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = hex_value(s[i + 1])) >= 0 &&
        (lo = hex_value(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and collapses each run of whitespace to one space; line breaks count as whitespace, so
// obsolete folded (multi-line) values come out on one line.
void append_canonical_value(std::string& out, std::string_view value) {
  bool started = false, space = false;
  for (char c : value) {
    if (is_space(c)) {
      space = started;
      continue;
    }
    if (space) out += ' ';
    out += c;
    started = true;
    space = false;
  }
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void write_digits(char* out, unsigned value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}

void write_amz_date(char* out, time_point t) noexcept {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  write_digits(out, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  write_digits(out + 4, static_cast<unsigned>(ymd.month()), 2);
  write_digits(out + 6, static_cast<unsigned>(ymd.day()), 2);
  out[8] = 'T';
  write_digits(out + 9, static_cast<unsigned>(hms.hours().count()), 2);
  write_digits(out + 11, static_cast<unsigned>(hms.minutes().count()), 2);
  write_digits(out + 13, static_cast<unsigned>(hms.seconds().count()), 2);
  out[15] = 'Z';
}

void append_scope(std::string& out, std::string_view date, std::string_view region,
                  std::string_view service) {
  out += date;
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
}

void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           std::string_view creq_hash) {
  out += algorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += creq_hash;
}

} // namespace

struct signer::impl {
  std::string region, service;
  detail::sha256 sha;
  detail::hmac_sha256 hmac; // keyed with the signing key once one is derived

  // Signing-key cache: one (secret, date) pair; region and service are the signer's.
  bool has_key = false;
  std::string key_secret;
  std::array<char, 8> key_date{};
  std::string scope; // date/region/service/aws4_request of the cached key
  std::uint64_t derivations = 0;

  // The X-Amz-Date of the last second signed in, so that most calls skip the calendar maths.
  std::chrono::seconds::rep date_second = std::numeric_limits<std::chrono::seconds::rep>::min();
  char date_text[amz_date_size] = {};

  // Scratch reused across calls.
  std::string creq, sts, signed_names;
  std::vector<std::pair<std::string, std::string>> headers;

  impl(std::string r, std::string s) : region(std::move(r)), service(std::move(s)) {}
  ~impl() { forget_secret(); }

  void forget_secret() noexcept {
    OPENSSL_cleanse(key_secret.data(), key_secret.size());
    key_secret.clear();
  }

  std::string_view date_of(time_point now) noexcept {
    const auto second = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    if (second != date_second) {
      write_amz_date(date_text, now);
      date_second = second;
    }
    return {date_text, amz_date_size};
  }

  void hash_hex(std::string_view data, char* out) {
    const auto digest = sha(data);
    detail::write_hex(out, digest.data(), digest.size());
  }

  // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
  // left in `hmac` as its key.
  void use_key(const std::string& secret, std::string_view date) {
    if (has_key && key_secret == secret && std::string_view(key_date.data(), 8) == date) return;
    has_key = false;
    std::string first = "AWS4" + secret;
    hmac.set_key(first.data(), first.size());
    OPENSSL_cleanse(first.data(), first.size());
    detail::digest256 k = hmac.mac(date);
    for (std::string_view part :
         {std::string_view(region), std::string_view(service), std::string_view("aws4_request")}) {
      hmac.set_key(k.data(), k.size());
      k = hmac.mac(part);
    }
    hmac.set_key(k.data(), k.size());
    OPENSSL_cleanse(k.data(), k.size());

    forget_secret();
    key_secret = secret;
    std::copy_n(date.data(), 8, key_date.data());
    scope.clear();
    append_scope(scope, date, region, service);
    ++derivations;
    has_key = true;
  }

  // Tasks 2-4 on the canonical request in `creq`: Authorization value into `out`.
  void authorize(const credentials& creds, std::string_view amz_date, std::string_view signed_header_names,
                 std::string& out) {
    use_key(creds.secret_access_key, amz_date.substr(0, 8));
    char creq_hash[hex_size];
    hash_hex(creq, creq_hash);
    sts.clear();
    append_string_to_sign(sts, amz_date, scope, {creq_hash, hex_size});
    const auto signature = hmac.mac(sts);
    char signature_hex[hex_size];
    detail::write_hex(signature_hex, signature.data(), signature.size());

    out.clear();
    out += algorithm;
    out += " Credential=";
    out += creds.access_key_id;
    out += '/';
    out += scope;
    out += ", SignedHeaders=";
    out += signed_header_names;
    out += ", Signature=";
    out.append(signature_hex, hex_size);
  }

  // Task 1 for any request: the canonical request into `creq`, header names into `signed_names`.
  void build_canonical_request(const sign_input& in, const credentials& creds, std::string_view amz_date,
                               const options& opts, std::string_view payload_hash) {
    const bool token = !creds.session_token.empty();
    headers.clear();
    for (const header& h : in.headers) {
      std::string name = to_lower(h.name);
      if (name == "x-amz-date" || name == "authorization" || (token && name == "x-amz-security-token") ||
          (opts.sign_body && name == "x-amz-content-sha256"))
        continue; // the signer's own headers
      std::string value;
      append_canonical_value(value, h.value);
      headers.emplace_back(std::move(name), std::move(value));
    }
    headers.emplace_back("x-amz-date", amz_date);
    // The token is used verbatim (it is base64), as in sign_dynamodb.
    if (token && !opts.omit_session_token) headers.emplace_back("x-amz-security-token", creds.session_token);
    if (opts.sign_body) headers.emplace_back("x-amz-content-sha256", payload_hash);
    // Stable: repeated headers keep their order when joined with ','.
    std::stable_sort(headers.begin(), headers.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });

    creq.clear();
    creq += in.method;
    creq += '\n';
    creq += canonical_uri(in.path, opts.normalize_path);
    creq += '\n';
    creq += canonical_query(in.query);
    creq += '\n';
    signed_names.clear();
    for (std::size_t i = 0; i < headers.size(); ++i) {
      const auto& [name, value] = headers[i];
      if (i > 0 && name == headers[i - 1].first) {
        creq.back() = ','; // replace the previous line's '\n'
      } else {
        if (!signed_names.empty()) signed_names += ';';
        signed_names += name;
        creq += name;
        creq += ':';
      }
      creq += value;
      creq += '\n';
    }
    creq += '\n';
    creq += signed_names;
    creq += '\n';
    creq += payload_hash;
  }
};

std::vector<header> signed_headers::headers() const {
  std::vector<header> out;
  out.emplace_back("X-Amz-Date", amz_date);
  if (!security_token.empty()) out.emplace_back("X-Amz-Security-Token", security_token);
  if (!content_sha256.empty()) out.emplace_back("x-amz-content-sha256", content_sha256);
  out.emplace_back("Authorization", authorization);
  return out;
}

signer::signer(std::string region, std::string service)
    : impl_(std::make_unique<impl>(std::move(region), std::move(service))) {}
signer::~signer() = default;
signer::signer(signer&&) noexcept = default;
signer& signer::operator=(signer&&) noexcept = default;

const std::string& signer::region() const noexcept { return impl_->region; }
const std::string& signer::service() const noexcept { return impl_->service; }
std::uint64_t signer::key_derivations() const noexcept { return impl_->derivations; }

signed_headers signer::sign(const sign_input& in, const credentials& creds, time_point now, options opts) {
  impl& m = *impl_;
  signed_headers out;
  out.amz_date = m.date_of(now);
  char payload_hash[hex_size];
  m.hash_hex(in.body, payload_hash);
  m.build_canonical_request(in, creds, out.amz_date, opts, {payload_hash, hex_size});
  m.authorize(creds, out.amz_date, m.signed_names, out.authorization);
  out.security_token = creds.session_token;
  if (opts.sign_body) out.content_sha256.assign(payload_hash, hex_size);
  return out;
}

void signer::sign_dynamodb(std::string_view host, std::string_view target, std::string_view body,
                           const credentials& creds, time_point now, std::string& authorization_out,
                           std::string& amz_date_out) {
  impl& m = *impl_;
  amz_date_out.assign(m.date_of(now));
  char payload_hash[hex_size];
  m.hash_hex(body, payload_hash);

  // The canonical request build_canonical_request would make for these headers, written
  // directly: header names are already sorted.
  const bool token = !creds.session_token.empty();
  std::string& c = m.creq;
  c.clear();
  c += "POST\n/\n\ncontent-type:";
  c += dynamodb_content_type;
  c += "\nhost:";
  append_canonical_value(c, host);
  c += "\nx-amz-date:";
  c += amz_date_out;
  if (token) {
    c += "\nx-amz-security-token:";
    c += creds.session_token;
  }
  c += "\nx-amz-target:";
  append_canonical_value(c, target);
  c += "\n\n";
  const std::string_view names = token ? "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
                                       : "content-type;host;x-amz-date;x-amz-target";
  c += names;
  c += '\n';
  c.append(payload_hash, hex_size);
  m.authorize(creds, amz_date_out, names, authorization_out);
}

std::string signer::canonical_request(const sign_input& in, const credentials& creds, time_point now,
                                      options opts) {
  impl& m = *impl_;
  const std::string date(m.date_of(now));
  char payload_hash[hex_size];
  m.hash_hex(in.body, payload_hash);
  m.build_canonical_request(in, creds, date, opts, {payload_hash, hex_size});
  return m.creq;
}

std::string signer::string_to_sign(std::string_view canonical_request, time_point now) {
  impl& m = *impl_;
  const std::string date(m.date_of(now));
  std::string scope;
  append_scope(scope, std::string_view(date).substr(0, 8), m.region, m.service);
  char creq_hash[hex_size];
  m.hash_hex(canonical_request, creq_hash);
  std::string out;
  append_string_to_sign(out, date, scope, {creq_hash, hex_size});
  return out;
}

std::string amz_date(time_point t) {
  std::string out(amz_date_size, '\0');
  write_amz_date(out.data(), t);
  return out;
}

std::string canonical_uri(std::string_view raw_path, bool normalize) {
  std::string out;
  if (!normalize) {
    append_encoded(out, raw_path, true);
  } else {
    // Drop empty and "." segments, let ".." remove the previous one; a trailing '/' stays.
    std::vector<std::string_view> segments;
    for (std::size_t start = 0; start <= raw_path.size();) {
      std::size_t end = raw_path.find('/', start);
      if (end == std::string_view::npos) end = raw_path.size();
      const std::string_view segment = raw_path.substr(start, end - start);
      if (segment == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (!segment.empty() && segment != ".") {
        segments.push_back(segment);
      }
      start = end + 1;
    }
    for (std::string_view segment : segments) {
      out += '/';
      append_encoded(out, segment, false);
    }
    if (!segments.empty() && raw_path.ends_with('/')) out += '/';
  }
  if (out.empty()) out = "/";
  return out;
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (std::size_t start = 0; start < raw_query.size();) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view param = raw_query.substr(start, end - start);
    start = end + 1;
    if (param.empty()) continue;
    const std::size_t eq = param.find('=');
    std::string name, value;
    append_encoded(name, percent_decode(param.substr(0, eq)), false);
    if (eq != std::string_view::npos) append_encoded(value, percent_decode(param.substr(eq + 1)), false);
    params.emplace_back(std::move(name), std::move(value));
  }
  // By encoded name, then encoded value: byte order, as the specification asks.
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

} // namespace ddb::sigv4
