// Every DynamoDB request type ddb knows. Serialize them with ddb/serialize.hpp.
#pragma once

#include <ddb/request_batch.hpp>
#include <ddb/request_common.hpp>
#include <ddb/request_item.hpp>
#include <ddb/request_partiql.hpp>
#include <ddb/request_query.hpp>
#include <ddb/request_table.hpp>
#include <ddb/request_transact.hpp>
