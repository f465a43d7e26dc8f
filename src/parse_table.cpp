// Table and control-plane responses (CreateTable, DescribeTable, UpdateTable, tags, backups,
// PartiQL, ...), parsed with the helpers of parse_detail.hpp.

#include "parse_detail.hpp"

namespace ddb {

error_code response_parser::parse_table_description(json_body body, table_description& out,
                                                    diagnostics& diag) {
  out = {};
  bool found = false;
  auto ec = impl_->parse(body, diag, "table", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TableDescription" || key == "Table") {
        found = true;
        DDB_TRY(impl_->get(v, out));
      }
    }
    return simdjson::SUCCESS;
  });
  if (!ec && !found) {
    diag.message = "malformed table response: no TableDescription";
    return client_errc::malformed_response;
  }
  return ec;
}

error_code response_parser::parse_update_time_to_live(json_body body, time_to_live_specification& out,
                                                      diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "UpdateTimeToLive", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TimeToLiveSpecification")
        DDB_TRY(each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
          if (k == "AttributeName") return get(f, out.attribute_name);
          if (k == "Enabled") return get(f, out.enabled);
          return simdjson::SUCCESS;
        }));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_describe_time_to_live(json_body body, time_to_live_description& out,
                                                        diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "DescribeTimeToLive", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TimeToLiveDescription")
        DDB_TRY(each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
          if (k == "TimeToLiveStatus") return get(f, out.time_to_live_status);
          if (k == "AttributeName") return get(f, out.attribute_name);
          return simdjson::SUCCESS;
        }));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_list_tables(json_body body, list_tables_response& out, diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "ListTables", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TableNames")
        DDB_TRY(get(v, out.table_names));
      else if (key == "LastEvaluatedTableName")
        DDB_TRY(get(v, out.last_evaluated_table_name));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_describe_limits(json_body body, describe_limits_response& out,
                                                  diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "DescribeLimits", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "AccountMaxReadCapacityUnits")
        DDB_TRY(get(v, out.account_max_read_capacity_units));
      else if (key == "AccountMaxWriteCapacityUnits")
        DDB_TRY(get(v, out.account_max_write_capacity_units));
      else if (key == "TableMaxReadCapacityUnits")
        DDB_TRY(get(v, out.table_max_read_capacity_units));
      else if (key == "TableMaxWriteCapacityUnits")
        DDB_TRY(get(v, out.table_max_write_capacity_units));
    }
    return simdjson::SUCCESS;
  });
}

namespace {

// AWS answers TagResource and UntagResource with an empty body; dynalite with the JSON string "".
bool empty_answer(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return true;
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1) == "\"\"";
}

} // namespace

error_code response_parser::parse_tag_resource(json_body body, tag_resource_response&, diagnostics& diag) {
  if (empty_answer(body.text())) return {};
  return impl_->parse(body, diag, "TagResource", [](od::object) { return simdjson::SUCCESS; });
}

error_code response_parser::parse_untag_resource(json_body body, untag_resource_response&,
                                                 diagnostics& diag) {
  if (empty_answer(body.text())) return {};
  return impl_->parse(body, diag, "UntagResource", [](od::object) { return simdjson::SUCCESS; });
}

error_code response_parser::parse_list_tags_of_resource(json_body body, list_tags_of_resource_response& out,
                                                        diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "ListTagsOfResource", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Tags")
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& t = out.tags.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) -> sj_error {
            if (k == "Key") return get(f, t.key);
            if (k == "Value") return get(f, t.value);
            return simdjson::SUCCESS;
          });
        }));
      else if (key == "NextToken")
        DDB_TRY(get(v, out.next_token));
    }
    return simdjson::SUCCESS;
  });
}

} // namespace ddb
