// Which response each request gets: the map behind client::execute.
#pragma once

#include <ddb/page.hpp>
#include <ddb/requests.hpp>
#include <ddb/responses.hpp>

namespace ddb {

template <class Request>
struct response_of;
template <class Request>
using response_t = typename response_of<Request>::type;

template <>
struct response_of<get_item_request> {
  using type = get_item_response;
};
template <>
struct response_of<put_item_request> {
  using type = put_item_response;
};
template <>
struct response_of<update_item_request> {
  using type = update_item_response;
};
template <>
struct response_of<delete_item_request> {
  using type = delete_item_response;
};
template <>
struct response_of<query_request> {
  using type = page;
};
template <>
struct response_of<scan_request> {
  using type = page;
};
template <>
struct response_of<batch_get_request> {
  using type = batch_get_item_response;
};
template <>
struct response_of<batch_write_request> {
  using type = batch_write_item_response;
};
template <>
struct response_of<transact_get_request> {
  using type = transact_get_items_response;
};
template <>
struct response_of<transact_write_request> {
  using type = transact_write_items_response;
};
template <>
struct response_of<create_table_request> {
  using type = table_description;
};
template <>
struct response_of<describe_table_request> {
  using type = table_description;
};
template <>
struct response_of<delete_table_request> {
  using type = table_description;
};
template <>
struct response_of<update_time_to_live_request> {
  using type = time_to_live_specification;
};
template <>
struct response_of<list_tables_request> {
  using type = list_tables_response;
};

template <>
struct response_of<update_table_request> {
  using type = table_description;
};
template <>
struct response_of<describe_time_to_live_request> {
  using type = time_to_live_description;
};
template <>
struct response_of<describe_limits_request> {
  using type = describe_limits_response;
};
template <>
struct response_of<tag_resource_request> {
  using type = tag_resource_response;
};
template <>
struct response_of<untag_resource_request> {
  using type = untag_resource_response;
};
template <>
struct response_of<list_tags_of_resource_request> {
  using type = list_tags_of_resource_response;
};
template <>
struct response_of<execute_statement_request> {
  using type = page;
};
template <>
struct response_of<batch_execute_statement_request> {
  using type = batch_execute_statement_response;
};
template <>
struct response_of<execute_transaction_request> {
  using type = execute_transaction_response;
};

/// A request type that client::execute accepts.
template <class Request>
concept operation_request = requires { typename response_of<Request>::type; };

} // namespace ddb
