// The SigV4 canonicalizer and signer on arbitrary requests: method, path, query, body, headers of
// any bytes (repeated names, any case, signer-owned names), credentials, region, service and time
// from the input. Checks, besides never crashing:
//  - canonical_request() equals an independent model of the SigV4 rules (header names lowercased,
//    values trimmed with whitespace runs collapsed, repeated names joined with ',' in request
//    order, sorted by name, signer-owned headers replaced), and sign()'s Authorization equals the
//    signature computed from it with OpenSSL's one-shot HMAC (string to sign and key derivation);
//  - header order does not matter: reversed, rotated and shuffled headers sign the same, as long
//    as headers of one name keep their relative order (the only order SigV4 makes meaningful);
//  - sign_dynamodb() equals sign() with the headers it documents;
//  - canonical_uri() (normalized or not) only emits unreserved bytes, '/' and %XX, decodes back to
//    the path (not normalized) or to a normalized path it maps to itself; canonical_query() is
//    sorted and idempotent; amz_date() reads back as the second it was given;
//  - the signing key is derived once per (secret, day), however often the signer is used.
// sign() requires a Host header: when the input has none, one is added.
//
// Input, read front to back (missing bytes read as 0; text := len(byte) bytes):
//   flags(byte) rotate(byte) time(8 bytes, big-endian system_clock ticks)
//   method path query body access_key secret token region service host target (each text)
//   then { name value } (text, text) headers until the input ends (at most 64).
// flags: 1 normalize_path, 2 sign_body, 4 omit_session_token, 8 no session token,
//        16 this input's own region and service (else us-east-1/dynamodb on a long-lived signer).
#include <ddb/sigv4.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace sigv4 = ddb::sigv4;

void check(bool ok) {
  if (!ok) std::abort();
}

struct reader {
  const std::uint8_t* p;
  std::size_t n;

  std::uint8_t byte() noexcept {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::string_view text() noexcept {
    std::size_t len = std::min<std::size_t>(byte(), n);
    std::string_view s(reinterpret_cast<const char*>(p), len);
    p += len, n -= len;
    return s;
  }
  std::uint64_t u64() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }
};

// ---- an independent model ----

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return hex(d, sizeof d);
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), d, &n) != nullptr);
  return std::string(reinterpret_cast<const char*>(d), n);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

bool whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trimmed, each run of whitespace one space.
std::string canonical_value(std::string_view v) {
  std::string out;
  std::size_t i = 0;
  while (i < v.size()) {
    if (whitespace(v[i])) {
      while (i < v.size() && whitespace(v[i])) ++i;
      if (!out.empty() && i < v.size()) out += ' ';
    } else {
      out += v[i++];
    }
  }
  return out;
}

struct model {
  std::string creq, signed_names;
};

model canonical_request_model(const sigv4::sign_input& in, const ddb::credentials& creds,
                              const std::string& amz_date, const sigv4::options& opts) {
  const bool token = !creds.session_token.empty();
  std::map<std::string, std::vector<std::string>> headers; // by name (byte order), values in order
  for (auto& h : in.headers) {
    std::string name = lower(h.name);
    const bool owned = name == "x-amz-date" || name == "authorization" ||
                       (token && name == "x-amz-security-token") ||
                       (opts.sign_body && name == "x-amz-content-sha256");
    if (!owned) headers[name].push_back(canonical_value(h.value));
  }
  headers["x-amz-date"].push_back(amz_date);
  if (token && !opts.omit_session_token) headers["x-amz-security-token"].push_back(creds.session_token);
  const std::string payload = sha256_hex(in.body);
  if (opts.sign_body) headers["x-amz-content-sha256"].push_back(payload);

  model m;
  m.creq = std::string(in.method) + '\n' + sigv4::canonical_uri(in.path, opts.normalize_path) + '\n' +
           sigv4::canonical_query(in.query) + '\n';
  for (auto& [name, values] : headers) {
    m.creq += name + ':';
    for (std::size_t i = 0; i < values.size(); ++i) m.creq += (i ? "," : "") + values[i];
    m.creq += '\n';
    m.signed_names += (m.signed_names.empty() ? "" : ";") + name;
  }
  m.creq += '\n' + m.signed_names + '\n' + payload;
  return m;
}

std::string authorization_model(const model& m, const ddb::credentials& creds, const std::string& amz_date,
                                const std::string& region, const std::string& service) {
  const std::string day = amz_date.substr(0, 8);
  const std::string scope = day + '/' + region + '/' + service + "/aws4_request";
  const std::string sts = "AWS4-HMAC-SHA256\n" + amz_date + '\n' + scope + '\n' + sha256_hex(m.creq);
  std::string key = hmac("AWS4" + creds.secret_access_key, day);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const std::string signature = hmac(key, sts);
  return "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + '/' + scope +
         ", SignedHeaders=" + m.signed_names +
         ", Signature=" + hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

// ---- canonical_uri, canonical_query, amz_date ----

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1; // canonical escapes are uppercase
}

// Decodes canonical (encoded) text; false if it is not canonical: only unreserved bytes,
// '/' where allowed, and %XX (uppercase) for exactly the other bytes.
bool decode_canonical(std::string_view s, bool slash, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (unreserved(c) || (slash && c == '/')) {
      out += s[i];
      continue;
    }
    if (c != '%' || i + 2 >= s.size()) return false;
    const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
    if (unreserved(decoded) || (slash && decoded == '/')) return false; // would have been kept
    out += static_cast<char>(decoded);
    i += 2;
  }
  return true;
}

void check_uri(std::string_view path) {
  std::string decoded;
  const std::string raw = sigv4::canonical_uri(path, false);
  check(decode_canonical(raw, true, decoded));
  check(path.empty() ? raw == "/" : decoded == path);

  const std::string normal = sigv4::canonical_uri(path, true);
  check(!normal.empty() && normal.front() == '/');
  check(decode_canonical(normal, true, decoded));
  // No empty, "." or ".." segment is left (a trailing '/' is kept).
  std::string_view rest = std::string_view(normal).substr(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (normal != "/") {
    for (std::size_t start = 0; start <= rest.size();) {
      std::size_t end = std::min(rest.find('/', start), rest.size());
      const std::string_view seg = rest.substr(start, end - start);
      check(!seg.empty() && seg != "." && seg != "..");
      start = end + 1;
    }
  }
  // A normalized path is its own normal form, and is already encoded canonically.
  check(decode_canonical(normal, true, decoded));
  check(sigv4::canonical_uri(decoded, true) == normal);
  check(sigv4::canonical_uri(decoded, false) == normal);
}

void check_query(std::string_view query) {
  const std::string q = sigv4::canonical_query(query);
  check(sigv4::canonical_query(q) == q);
  if (q.empty()) return;
  std::pair<std::string, std::string> previous;
  std::string decoded;
  for (std::size_t start = 0, i = 0; start <= q.size(); ++i) {
    const std::size_t end = std::min(q.find('&', start), q.size());
    const std::string_view param = std::string_view(q).substr(start, end - start);
    const std::size_t eq = param.find('=');
    check(eq != std::string_view::npos);
    std::pair<std::string, std::string> p{param.substr(0, eq), param.substr(eq + 1)};
    check(decode_canonical(p.first, false, decoded) && decode_canonical(p.second, false, decoded));
    check(i == 0 || previous <= p); // by encoded name, then encoded value
    previous = std::move(p);
    start = end + 1;
  }
}

void check_amz_date(sigv4::time_point now) {
  using namespace std::chrono;
  const std::string d = sigv4::amz_date(now);
  check(d.size() == 16 && d[8] == 'T' && d[15] == 'Z');
  int f[6];
  const int at[6] = {0, 4, 6, 9, 11, 13}, width[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    f[i] = 0;
    for (int j = 0; j < width[i]; ++j) {
      const char c = d[static_cast<std::size_t>(at[i] + j)];
      check(c >= '0' && c <= '9');
      f[i] = f[i] * 10 + (c - '0');
    }
  }
  const year_month_day ymd{year{f[0]}, month{static_cast<unsigned>(f[1])}, day{static_cast<unsigned>(f[2])}};
  check(ymd.ok() && f[3] < 24 && f[4] < 60 && f[5] < 60);
  const sys_seconds back = sys_days(ymd) + hours(f[3]) + minutes(f[4]) + seconds(f[5]);
  check(back == floor<seconds>(now));
}

// ---- header orders ----

// `order` rearranged so that headers of one (lowercased) name keep their original relative order.
std::vector<sigv4::header> keep_same_name_order(const std::vector<sigv4::header>& original,
                                                const std::vector<std::size_t>& order) {
  std::map<std::string, std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < original.size(); ++i) members[lower(original[i].name)].push_back(i);
  std::map<std::string, std::size_t> next;
  std::vector<sigv4::header> out;
  for (std::size_t i : order) {
    const std::string name = lower(original[i].name);
    out.push_back(original[members[name][next[name]++]]);
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sigv4::signer shared("us-east-1", "dynamodb"); // long-lived, as a connection's

  reader in{data, size};
  const std::uint8_t flags = in.byte();
  const std::uint8_t rotate = in.byte();
  const sigv4::time_point now{
      sigv4::time_point::duration(static_cast<sigv4::time_point::rep>(static_cast<std::int64_t>(in.u64())))};
  const std::string_view method = in.text(), path = in.text(), query = in.text(), body = in.text();
  ddb::credentials creds;
  creds.access_key_id = in.text();
  creds.secret_access_key = in.text();
  creds.session_token = in.text();
  if (flags & 8) creds.session_token.clear();
  const std::string region(in.text()), service(in.text());
  const std::string_view host = in.text(), target = in.text();
  std::vector<sigv4::header> headers;
  while (in.n > 0 && headers.size() < 64) {
    const std::string_view name = in.text();
    headers.emplace_back(name, in.text());
  }
  if (std::none_of(headers.begin(), headers.end(), [](auto& h) { return lower(h.name) == "host"; }))
    headers.emplace_back("Host", host); // sign() requires one

  sigv4::options opts;
  opts.normalize_path = flags & 1;
  opts.sign_body = flags & 2;
  opts.omit_session_token = flags & 4;

  check_uri(path);
  check_query(query);
  check_amz_date(now);

  std::optional<sigv4::signer> own;
  if (flags & 16) own.emplace(region, service);
  sigv4::signer& s = own ? *own : shared;

  const std::string date = sigv4::amz_date(now);
  const sigv4::sign_input input(method, path, query, headers, body);
  const model m = canonical_request_model(input, creds, date, opts);
  const std::string expected = authorization_model(m, creds, date, s.region(), s.service());

  const std::string creq = s.canonical_request(input, creds, now, opts);
  check(creq == m.creq);
  const sigv4::signed_headers out = s.sign(input, creds, now, opts);
  check(out.authorization == expected);
  check(out.amz_date == date && out.security_token == creds.session_token);
  check(out.content_sha256 == (opts.sign_body ? sha256_hex(body) : std::string()));
  check(out.headers().size() == std::size_t{2} + !out.security_token.empty() + !out.content_sha256.empty());
  check(s.string_to_sign(creq, now) == "AWS4-HMAC-SHA256\n" + date + '\n' + date.substr(0, 8) + '/' +
                                           s.region() + '/' + s.service() + "/aws4_request\n" +
                                           sha256_hex(creq));
  const std::uint64_t derivations = s.key_derivations();

  // Other orders of the same headers.
  std::vector<std::size_t> order(headers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<std::vector<std::size_t>> orders;
  orders.emplace_back(order.rbegin(), order.rend());
  auto rotated = order;
  if (!rotated.empty())
    std::rotate(rotated.begin(), rotated.begin() + static_cast<std::ptrdiff_t>(rotate % rotated.size()),
                rotated.end());
  orders.push_back(std::move(rotated));
  auto shuffled = order;
  std::mt19937 rng(rotate);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  orders.push_back(std::move(shuffled));
  for (auto& o : orders) {
    const std::vector<sigv4::header> permuted = keep_same_name_order(headers, o);
    const sigv4::sign_input p(method, path, query, permuted, body);
    check(s.canonical_request(p, creds, now, opts) == creq);
    check(s.sign(p, creds, now, opts).authorization == expected);
  }

  // The DynamoDB fast path is sign() with its documented headers.
  {
    const sigv4::header dynamodb_headers[] = {
        {"Content-Type", sigv4::signer::dynamodb_content_type}, {"Host", host}, {"X-Amz-Target", target}};
    const sigv4::sign_input d("POST", "/", "", dynamodb_headers, body);
    const sigv4::signed_headers general = s.sign(d, creds, now);
    std::string authorization = "stale", amz_date = "stale";
    s.sign_dynamodb(host, target, body, creds, now, authorization, amz_date);
    check(authorization == general.authorization && amz_date == general.amz_date);
  }
  check(s.key_derivations() == derivations); // same secret, same day: the key was cached
  return 0;
}
