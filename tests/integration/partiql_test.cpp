// PartiQL against the server: ExecuteStatement (parameters as ddb values, pages through
// statement_pages), BatchExecuteStatement (statements failing one by one) and ExecuteTransaction
// (all or nothing, cancellation reasons, reads). dynalite has no PartiQL: these skip there.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace ddb_test;
using namespace ddb;

namespace {

std::string explain(const error_code& ec, const diagnostics& d) {
  return ec.to_string() + " [" + d.error_type + ": " + d.message + "]";
}

asio::awaitable<std::string> make_table(client& c, const std::string& base) {
  std::string t = unique_table(base);
  auto req = create_table_request(t, key_schema("PK", "SK"))
                 .attribute("PK", value_type::string)
                 .attribute("SK", value_type::string);
  co_await create_table(c, req);
  co_return t;
}

// A statement on table `t`: "INSERT INTO \"t\" ...", with the name quoted as PartiQL wants.
std::string on(const std::string& t, std::string_view before, std::string_view after) {
  return std::string(before) + "\"" + t + "\"" + std::string(after);
}

} // namespace

TEST(PartiQL, InsertSelectUpdateDeleteWithParameters) {
  DDB_SKIP_ON_DYNALITE("PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = co_await make_table(c, "pq_crud");

    // Every kind of value goes in as a parameter and comes back exactly.
    item address{{"city", value("Zürich")}, {"zip", value(8001)}};
    auto insert = execute_statement_request(on(t, "INSERT INTO ",
                                               " VALUE {'PK': ?, 'SK': ?, 'n': ?, 'price': ?, "
                                               "'address': ?, 'tags': ?, 'blob': ?}"))
                      .parameter("USER#1")
                      .parameter("PROFILE")
                      .parameter(1)
                      .parameter(number("12345678901234567890.123456789"))
                      .parameter(address)
                      .parameter(list{value("a"), value(true)})
                      .parameter(to_bytes(std::string("\x00\x01\x02\xff", 4)));
    auto inserted = co_await c.execute_statement(insert);
    EXPECT_TRUE(inserted.empty());

    auto select = execute_statement_request(on(t, "SELECT * FROM ", " WHERE PK = ? AND SK = ?"))
                      .parameter("USER#1")
                      .parameter("PROFILE")
                      .consistent_read();
    auto p = co_await c.execute_statement(select);
    CO_ASSERT_EQ(p.size(), 1u);
    item got = p[0].to_item();
    EXPECT_EQ(got.at("n"), value(1));
    EXPECT_EQ(got.at("price"), value(number("12345678901234567890.123456789")));
    EXPECT_EQ(got.at("address"), value(address));
    EXPECT_EQ(got.at("tags"), value(list{value("a"), value(true)}));
    EXPECT_EQ(got.at("blob"), value(to_bytes(std::string("\x00\x01\x02\xff", 4))));
    EXPECT_FALSE(p.next_token());

    // A second INSERT of the key is DuplicateItemException, typed.
    error_code ec;
    diagnostics diag;
    co_await c.execute(insert, ec, diag);
    EXPECT_EQ(ec, service_errc::duplicate_item) << explain(ec, diag);
    EXPECT_EQ(diag.attempts, 1u) << "not retried";

    auto update = execute_statement_request(on(t, "UPDATE ", " SET n = n + ? WHERE PK = ? AND SK = ?"))
                      .parameter(41)
                      .parameter("USER#1")
                      .parameter("PROFILE");
    co_await c.execute_statement(update);
    p = co_await c.execute_statement(select);
    CO_ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].to_item().at("n"), value(42));

    // A failed WHERE condition on a write is ConditionalCheckFailed, with the old item on request.
    auto guarded = execute_statement_request(on(t, "UPDATE ", " SET n = 0 WHERE PK = ? AND SK = ? AND n = ?"))
                       .parameter("USER#1")
                       .parameter("PROFILE")
                       .parameter(7)
                       .return_values_on_condition_check_failure(return_value::all_old);
    co_await c.execute(guarded, ec, diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << explain(ec, diag);
    if (diag.item) {
      EXPECT_EQ(diag.item->at("n"), value(42));
    }

    auto remove = execute_statement_request(on(t, "DELETE FROM ", " WHERE PK = ? AND SK = ?"))
                      .parameter("USER#1")
                      .parameter("PROFILE");
    co_await c.execute_statement(remove);
    p = co_await c.execute_statement(select);
    EXPECT_TRUE(p.empty());

    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(PartiQL, StatementPagesFollowNextToken) {
  DDB_SKIP_ON_DYNALITE("PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = co_await make_table(c, "pq_pages");
    for (int i = 0; i < 25; ++i) {
      std::string sk = (i < 10 ? "0" : "") + std::to_string(i);
      auto insert = execute_statement_request(on(t, "INSERT INTO ", " VALUE {'PK': 'P', 'SK': ?, 'i': ?}"))
                        .parameter(sk)
                        .parameter(i);
      co_await c.execute_statement(insert);
    }

    auto select =
        execute_statement_request(on(t, "SELECT * FROM ", " WHERE PK = ?")).parameter("P").limit(10);
    auto pages = c.statement_pages(select);
    int n = 0, page_count = 0;
    std::optional<std::string> second_page;
    while (const page* p = co_await pages.next()) {
      ++page_count;
      if (page_count == 1) {
        EXPECT_TRUE(p->next_token()) << "a page of 10 out of 25 continues";
        EXPECT_TRUE(p->has_more());
        second_page = pages.resume_token();
      }
      for (item_view v : p->items())
        EXPECT_EQ(v.at("i").to_number().to<int>(), n++) << "in SK order, none twice";
    }
    EXPECT_EQ(n, 25);
    EXPECT_GE(page_count, 3);
    EXPECT_FALSE(pages.resume_token());

    // A pager started from a NextToken continues there.
    CO_ASSERT_TRUE(second_page);
    auto from_second = select;
    from_second.next_token(*second_page);
    auto rest = c.statement_pages(from_second);
    const page* p = co_await rest.next();
    CO_ASSERT_TRUE(p != nullptr);
    CO_ASSERT_TRUE(!p->empty());
    EXPECT_EQ((*p)[0].at("i").to_number().to<int>(), 10);

    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(PartiQL, BatchStatementsFailOneByOne) {
  DDB_SKIP_ON_DYNALITE("PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = co_await make_table(c, "pq_batch");
    const std::string insert = on(t, "INSERT INTO ", " VALUE {'PK': ?, 'SK': 'S', 'n': ?}");

    auto writes = batch_execute_statement_request()
                      .add(partiql_statement(insert).parameter("A").parameter(1))
                      .add(partiql_statement(insert).parameter("B").parameter(2));
    auto r = co_await c.batch_execute_statement(writes);
    CO_ASSERT_EQ(r.responses.size(), 2u);
    EXPECT_FALSE(r.failed());

    // "A" exists: that statement fails, "C" is inserted.
    auto again = batch_execute_statement_request()
                     .add(partiql_statement(insert).parameter("A").parameter(10))
                     .add(partiql_statement(insert).parameter("C").parameter(3));
    r = co_await c.batch_execute_statement(again);
    CO_ASSERT_EQ(r.responses.size(), 2u);
    EXPECT_TRUE(r.failed());
    CO_ASSERT_TRUE(r.responses[0].error);
    EXPECT_FALSE(r.responses[0].error->code.empty());
    EXPECT_FALSE(r.responses[1].error) << r.responses[1].error->code << ": " << r.responses[1].error->message;

    const std::string select = on(t, "SELECT * FROM ", " WHERE PK = ? AND SK = 'S'");
    auto reads = batch_execute_statement_request()
                     .add(partiql_statement(select).parameter("A").consistent_read())
                     .add(partiql_statement(select).parameter("C"))
                     .add(partiql_statement(select).parameter("nobody"));
    r = co_await c.batch_execute_statement(reads);
    CO_ASSERT_EQ(r.responses.size(), 3u);
    CO_ASSERT_TRUE(r.responses[0].item);
    EXPECT_EQ(r.responses[0].item->at("n"), value(1)) << "the failed statement changed nothing";
    CO_ASSERT_TRUE(r.responses[1].item);
    EXPECT_EQ(r.responses[1].item->at("n"), value(3));
    EXPECT_FALSE(r.responses[2].item);
    EXPECT_FALSE(r.failed());

    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(PartiQL, TransactionsAreAllOrNothing) {
  DDB_SKIP_ON_DYNALITE("PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)");
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    const std::string t = co_await make_table(c, "pq_tx");
    const std::string insert = on(t, "INSERT INTO ", " VALUE {'PK': ?, 'SK': 'S', 'n': ?}");
    // (Requests are built into locals: GCC 12 miscompiles string literals inside a co_await.)
    auto inserts = execute_transaction_request()
                       .add(partiql_statement(insert).parameter("A").parameter(1))
                       .add(partiql_statement(insert).parameter("B").parameter(1));
    co_await c.execute_transaction(inserts);

    // The second statement's condition fails: neither is applied.
    const std::string bump = on(t, "UPDATE ", " SET n = n + 1 WHERE PK = ? AND SK = 'S' AND n = ?");
    auto failing = execute_transaction_request()
                       .add(partiql_statement(bump).parameter("A").parameter(1))
                       .add(partiql_statement(bump).parameter("B").parameter(99));
    error_code ec;
    diagnostics diag;
    co_await c.execute(failing, ec, diag);
    EXPECT_EQ(ec, service_errc::transaction_canceled) << explain(ec, diag);
    CO_ASSERT_EQ(diag.cancellation_reasons.size(), 2u);
    EXPECT_EQ(diag.cancellation_reasons[0].code, "None");
    EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");

    // Reads in a transaction: one response per statement, in order.
    const std::string select = on(t, "SELECT * FROM ", " WHERE PK = ? AND SK = 'S'");
    auto reads = execute_transaction_request()
                     .add(partiql_statement(select).parameter("A"))
                     .add(partiql_statement(select).parameter("B"));
    // The async form, error-code style.
    auto [read_ec, r] = co_await c.async_execute_transaction(reads, asio::as_tuple(asio::use_awaitable));
    CO_ASSERT_TRUE(!read_ec);
    CO_ASSERT_EQ(r.responses.size(), 2u);
    CO_ASSERT_TRUE(r.responses[0] && r.responses[1]);
    EXPECT_EQ(r.responses[0]->at("n"), value(1)) << "the cancelled transaction changed nothing";
    EXPECT_EQ(r.responses[1]->at("n"), value(1));

    // One token for a transaction sent twice: the second is the same transaction, not applied
    // again (DynamoDB's idempotency window).
    auto once = execute_transaction_request()
                    .add(partiql_statement(on(t, "UPDATE ", " SET n = n + 1 WHERE PK = ? AND SK = 'S'"))
                             .parameter("A"))
                    .client_request_token("pq-tx-token-1");
    co_await c.execute_transaction(once);
    co_await c.execute_transaction(once);
    auto [ec2, after] = co_await c.async_execute_transaction(reads, asio::as_tuple(asio::use_awaitable));
    CO_ASSERT_TRUE(!ec2 && after.responses.size() == 2u && after.responses[0]);
    EXPECT_EQ(after.responses[0]->at("n"), value(2)) << "a repeated ClientRequestToken applies once";

    co_await c.delete_table(delete_table_request(t));
  });
}

TEST(PartiQL, BadStatementsAreRefusedBeforeSending) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    client c(io.get_executor(), local_options());
    error_code ec;
    diagnostics diag;
    execute_statement_request empty("");
    co_await c.execute(empty, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    EXPECT_EQ(diag.attempts, 0u);

    batch_execute_statement_request too_many;
    for (int i = 0; i < 26; ++i)
      too_many.add(partiql_statement("SELECT * FROM \"t\" WHERE PK = ?").parameter(i));
    co_await c.execute(too_many, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    EXPECT_NE(diag.message.find("25"), std::string::npos) << diag.message;

    auto consistent = execute_transaction_request().add(
        partiql_statement("SELECT * FROM \"t\" WHERE PK = ?").parameter("a").consistent_read());
    co_await c.execute(consistent, ec, diag);
    EXPECT_EQ(ec, client_errc::invalid_argument) << explain(ec, diag);
    EXPECT_NE(diag.message.find("ConsistentRead"), std::string::npos) << diag.message;
  });
}
