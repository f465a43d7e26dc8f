// Response parsing with simdjson On-Demand: one forward pass over the body, straight into
// ddb::page's flat storage (or, for the small responses, into flat scratch storage that is then
// copied into owning items).

#include "parse_detail.hpp"

namespace ddb {

response_parser::response_parser() : impl_(std::make_unique<impl>()) {}
response_parser::~response_parser() = default;
response_parser::response_parser(response_parser&&) noexcept = default;
response_parser& response_parser::operator=(response_parser&&) noexcept = default;

error_code response_parser::parse_query(json_body body, page& out, diagnostics& diag) {
  out.clear();
  auto& flat = detail::flat_access::storage(out);
  auto& items = detail::flat_access::items(out);
  // Everything in the arena comes from the body and is no longer than it there.
  flat.bytes.reserve(body.text().size() + 64);
  auto ec = impl_->parse(body, diag, "Query/Scan", [&](od::object top) {
    writer w{flat.bytes, flat.nodes};
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Items") {
        od::array arr;
        DDB_TRY(v.get_array().get(arr));
        for (auto e : arr) {
          od::object o;
          DDB_TRY(e.get_object().get(o));
          items.push_back(static_cast<u32>(flat.nodes.size()));
          DDB_TRY(w.item(o));
        }
      } else if (key == "Count") {
        DDB_TRY(get(v, detail::flat_access::count(out)));
      } else if (key == "ScannedCount") {
        DDB_TRY(get(v, detail::flat_access::scanned_count(out)));
      } else if (key == "LastEvaluatedKey") {
        DDB_TRY(impl_->get_item(v, detail::flat_access::last_evaluated_key(out).emplace()));
      } else if (key == "NextToken") {
        DDB_TRY(get(v, detail::flat_access::next_token(out).emplace()));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, detail::flat_access::consumed_capacity(out).emplace()));
      }
    }
    return simdjson::SUCCESS;
  });
  if (ec) out.clear(); // no half-built items (their nodes are incomplete)
  return ec;
}

error_code response_parser::parse_get_item(json_body body, get_item_response& out, diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "GetItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Item")
        DDB_TRY(impl_->get_item(v, out.item));
      else if (key == "ConsumedCapacity")
        DDB_TRY(get(v, out.consumed_capacity));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_write_item(json_body body, write_item_response& out, diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "PutItem/UpdateItem/DeleteItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Attributes")
        DDB_TRY(impl_->get_item(v, out.attributes));
      else if (key == "ConsumedCapacity")
        DDB_TRY(get(v, out.consumed_capacity));
      else if (key == "ItemCollectionMetrics")
        DDB_TRY(impl_->get(v, out.item_collection_metrics));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_batch_get_item(json_body body, batch_get_item_response& out,
                                                 diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "BatchGetItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Responses") {
        DDB_TRY(each_named_field(v, [&](std::string table, od::value f) {
          return impl_->get_items(f, out.responses[std::move(table)]);
        }));
      } else if (key == "UnprocessedKeys") {
        DDB_TRY(each_named_field(v, [&](std::string table, od::value f) {
          return impl_->get(f, out.unprocessed_keys[std::move(table)]);
        }));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_batch_write_item(json_body body, batch_write_item_response& out,
                                                   diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "BatchWriteItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "UnprocessedItems") {
        DDB_TRY(each_named_field(v, [&](std::string table, od::value f) {
          auto& list = out.unprocessed_items[std::move(table)];
          return each_element(f, [&](od::value e) { return impl_->get(e, list.emplace_back()); });
        }));
      } else if (key == "ItemCollectionMetrics") {
        DDB_TRY(impl_->get(v, out.item_collection_metrics));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_transact_get_items(json_body body, transact_get_items_response& out,
                                                     diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "TransactGetItems", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Responses") {
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& entry = out.responses.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) {
            return k == "Item" ? impl_->get_item(f, entry) : simdjson::SUCCESS;
          });
        }));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_transact_write_items(json_body body, transact_write_items_response& out,
                                                       diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "TransactWriteItems", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "ItemCollectionMetrics")
        DDB_TRY(impl_->get(v, out.item_collection_metrics));
      else if (key == "ConsumedCapacity")
        DDB_TRY(get(v, out.consumed_capacity));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_batch_execute_statement(json_body body,
                                                          batch_execute_statement_response& out,
                                                          diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "BatchExecuteStatement", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Responses") {
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& entry = out.responses.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) -> sj_error {
            if (k == "TableName") return get(f, entry.table_name);
            if (k == "Item") return impl_->get_item(f, entry.item);
            if (k != "Error") return simdjson::SUCCESS;
            auto& error = entry.error.emplace();
            return each_field(f, [&](od::raw_json_string ek, od::value ef) -> sj_error {
              if (ek == "Code") return get(ef, error.code);
              if (ek == "Message") return get(ef, error.message);
              if (ek == "Item") return impl_->get_item(ef, error.item);
              return simdjson::SUCCESS;
            });
          });
        }));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_execute_transaction(json_body body, execute_transaction_response& out,
                                                      diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "ExecuteTransaction", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Responses") {
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& entry = out.responses.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) {
            return k == "Item" ? impl_->get_item(f, entry) : simdjson::SUCCESS;
          });
        }));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

namespace {

// The start of a body that is not a JSON error, printable: control bytes become spaces and a
// UTF-8 sequence is not cut.
std::string snippet(std::string_view body) {
  constexpr std::size_t max = 256;
  std::size_t n = body.size();
  if (n > max) {
    n = max;
    while (n > 0 && (static_cast<unsigned char>(body[n]) & 0xc0) == 0x80) --n;
  }
  std::string s(body.substr(0, n));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (n < body.size()) s += "...";
  return s;
}

} // namespace

error_code response_parser::parse_error(unsigned http_status, json_body body, diagnostics& out) {
  out.http_status = http_status;
  out.error_type.clear();
  out.message.clear();
  out.cancellation_reasons.clear();
  out.item.reset();
  std::string type;
  std::size_t offset = impl::no_offset;
  // Whatever was read before a malformed part is kept: the type matters most.
  (void)impl_->run(body, offset, [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "__type") {
        DDB_TRY(get(v, type));
      } else if (key == "message" || key == "Message") {
        DDB_TRY(get(v, out.message));
      } else if (key == "Item") {
        DDB_TRY(impl_->get_item(v, out.item));
      } else if (key == "CancellationReasons") {
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& r = out.cancellation_reasons.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) -> sj_error {
            if (k == "Code") return get(f, r.code);
            if (k == "Message") return get(f, r.message);
            if (k == "Item") return impl_->get_item(f, r.item);
            return simdjson::SUCCESS;
          });
        }));
      }
    }
    return simdjson::SUCCESS;
  });
  std::string_view t = type;
  if (auto hash = t.rfind('#'); hash != std::string_view::npos) t.remove_prefix(hash + 1);
  if (auto colon = t.find(':'); colon != std::string_view::npos) t = t.substr(0, colon);
  if (!t.empty()) {
    out.error_type.assign(t);
    return service_errc_from_type(t);
  }
  // Not a DynamoDB error body: a proxy's page, an empty body, a 413 from a load balancer...
  if (out.message.empty()) {
    out.message = "HTTP " + std::to_string(http_status);
    if (!body.text().empty()) out.message += ": " + snippet(body.text());
  }
  if (http_status == 503) return service_errc::service_unavailable;
  if (http_status >= 500) return service_errc::internal_server_error;
  return service_errc::unknown;
}

// --- One parser per thread ------------------------------------------------------------------

namespace {
response_parser& thread_parser() {
  thread_local response_parser p;
  return p;
}
} // namespace

error_code parse_query(json_body b, page& out, diagnostics& d) {
  return thread_parser().parse_query(b, out, d);
}
error_code parse_scan(json_body b, page& out, diagnostics& d) {
  return thread_parser().parse_scan(b, out, d);
}
error_code parse_get_item(json_body b, get_item_response& out, diagnostics& d) {
  return thread_parser().parse_get_item(b, out, d);
}
error_code parse_write_item(json_body b, write_item_response& out, diagnostics& d) {
  return thread_parser().parse_write_item(b, out, d);
}
error_code parse_batch_get_item(json_body b, batch_get_item_response& out, diagnostics& d) {
  return thread_parser().parse_batch_get_item(b, out, d);
}
error_code parse_batch_write_item(json_body b, batch_write_item_response& out, diagnostics& d) {
  return thread_parser().parse_batch_write_item(b, out, d);
}
error_code parse_transact_get_items(json_body b, transact_get_items_response& out, diagnostics& d) {
  return thread_parser().parse_transact_get_items(b, out, d);
}
error_code parse_transact_write_items(json_body b, transact_write_items_response& out, diagnostics& d) {
  return thread_parser().parse_transact_write_items(b, out, d);
}
error_code parse_table_description(json_body b, table_description& out, diagnostics& d) {
  return thread_parser().parse_table_description(b, out, d);
}
error_code parse_update_time_to_live(json_body b, time_to_live_specification& out, diagnostics& d) {
  return thread_parser().parse_update_time_to_live(b, out, d);
}
error_code parse_describe_time_to_live(json_body b, time_to_live_description& out, diagnostics& d) {
  return thread_parser().parse_describe_time_to_live(b, out, d);
}
error_code parse_list_tables(json_body b, list_tables_response& out, diagnostics& d) {
  return thread_parser().parse_list_tables(b, out, d);
}
error_code parse_describe_limits(json_body b, describe_limits_response& out, diagnostics& d) {
  return thread_parser().parse_describe_limits(b, out, d);
}
error_code parse_list_tags_of_resource(json_body b, list_tags_of_resource_response& out, diagnostics& d) {
  return thread_parser().parse_list_tags_of_resource(b, out, d);
}
error_code parse_error(unsigned status, json_body b, diagnostics& out) {
  return thread_parser().parse_error(status, b, out);
}

} // namespace ddb
