// Response parsing: every parse function on arbitrary bytes must return success or
// malformed_response (parse_error: some service error), never crash, leak or read out of bounds,
// and whatever parsed must read back through the views and convert to owning values.
#include <ddb/crc32.hpp>
#include <ddb/error.hpp>
#include <ddb/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(const ddb::error_code& ec) {
  if (ec && ec != ddb::client_errc::malformed_response) std::abort();
}

// Walks a value through every accessor its type allows.
std::size_t walk(ddb::value_view v, int depth) {
  if (depth > 200) std::abort(); // the parser bounds nesting far below this
  std::size_t n = 1;
  switch (v.type()) {
  case ddb::value_type::string:
    n += v.as_string().size();
    break;
  case ddb::value_type::number:
    (void)v.to_number();
    break; // validated: must not throw
  case ddb::value_type::binary:
    n += v.as_binary().size();
    break;
  case ddb::value_type::boolean:
    n += v.as_bool();
    break;
  case ddb::value_type::null:
    break;
  case ddb::value_type::map:
    for (auto [name, child] : v.as_map()) n += name.size() + walk(child, depth + 1);
    break;
  default: {
    std::size_t count = 0;
    for (ddb::value_view child : v.elements()) n += walk(child, depth + 1), ++count;
    if (count != v.size()) std::abort();
  }
  }
  return n;
}

void exercise(ddb::response_parser& p, ddb::json_body body) {
  ddb::diagnostics d;
  {
    ddb::page page;
    check(p.parse_query(body, page, d));
    std::size_t items = 0;
    for (ddb::item_view item : page.items()) {
      std::size_t attributes = 0;
      for (auto [name, v] : item) {
        walk(v, 0);
        if (!item.find(name)) std::abort();
        ++attributes;
      }
      if (attributes != item.size()) std::abort();
      (void)item.to_item();
      ++items;
    }
    if (items != page.size()) std::abort();
    ddb::page copy = page;
    if (copy.to_items() != page.to_items()) std::abort();
  }
  ddb::get_item_response g;
  check(p.parse_get_item(body, g, d));
  ddb::write_item_response w;
  check(p.parse_write_item(body, w, d));
  ddb::batch_get_item_response bg;
  check(p.parse_batch_get_item(body, bg, d));
  ddb::batch_write_item_response bw;
  check(p.parse_batch_write_item(body, bw, d));
  ddb::transact_get_items_response tg;
  check(p.parse_transact_get_items(body, tg, d));
  ddb::transact_write_items_response tw;
  check(p.parse_transact_write_items(body, tw, d));
  ddb::table_description t;
  check(p.parse_table_description(body, t, d));
  ddb::time_to_live_specification ttl;
  check(p.parse_update_time_to_live(body, ttl, d));
  ddb::time_to_live_description ttld;
  check(p.parse_describe_time_to_live(body, ttld, d));
  ddb::describe_limits_response limits;
  check(p.parse_describe_limits(body, limits, d));
  ddb::tag_resource_response tagged;
  check(p.parse_tag_resource(body, tagged, d));
  ddb::list_tags_of_resource_response tags;
  check(p.parse_list_tags_of_resource(body, tags, d));
  ddb::list_tables_response lt;
  check(p.parse_list_tables(body, lt, d));
  ddb::batch_execute_statement_response bes;
  check(p.parse_batch_execute_statement(body, bes, d));
  ddb::execute_transaction_response et;
  check(p.parse_execute_transaction(body, et, d));
  for (unsigned status : {400u, 413u, 500u, 503u}) {
    ddb::diagnostics e;
    auto ec = p.parse_error(status, body, e);
    if (!ec || ec.category() != ddb::service_category() || e.http_status != status) std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ddb::response_parser parser; // reused, as a connection does
  std::string_view input(reinterpret_cast<const char*>(data), size);

  exercise(parser, input); // copied into the parser's padded buffer

  std::string in_place(input); // parsed in place (the parser grows the capacity)
  exercise(parser, in_place);
  if (in_place != input) std::abort(); // left as it was

  // The CRC check on the same bytes: the first line as the header, the rest as the body.
  auto nl = input.find('\n');
  auto header = input.substr(0, nl == std::string_view::npos ? 0 : nl);
  auto body = nl == std::string_view::npos ? input : input.substr(nl + 1);
  auto ec = ddb::check_crc32(body, header);
  if (ec && ec != ddb::client_errc::crc32_mismatch && ec != ddb::client_errc::malformed_response)
    std::abort();
  if (ddb::check_crc32(body, std::to_string(ddb::crc32(body)))) std::abort();
  return 0;
}
