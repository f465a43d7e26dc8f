#include <ddb/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

using namespace ddb;

TEST(ErrorCode, ServiceTypesMapFromAwsNames) {
  EXPECT_EQ(service_errc_from_type("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"),
            service_errc::conditional_check_failed);
  EXPECT_EQ(service_errc_from_type("com.amazon.coral.validate#ValidationException"),
            service_errc::validation);
  EXPECT_EQ(service_errc_from_type("TransactionCanceledException"), service_errc::transaction_canceled);
  EXPECT_EQ(service_errc_from_type("ThrottlingException:http://internal.amazon.com/coral/"),
            service_errc::throttling);
  EXPECT_EQ(service_errc_from_type("com.amazonaws.dynamodb.v20120810#SomethingNew"), service_errc::unknown);
  EXPECT_EQ(service_errc_from_type(""), service_errc::unknown);
}

TEST(ErrorCode, CategoriesNameThemselves) {
  error_code a = service_errc::resource_not_found, b = client_errc::crc32_mismatch;
  EXPECT_STREQ(a.category().name(), "ddb.dynamodb");
  EXPECT_EQ(a.message(), "ResourceNotFoundException");
  EXPECT_STREQ(b.category().name(), "ddb.client");
  EXPECT_EQ(b.message(), "response CRC32 mismatch");
}

TEST(Classify, ThrottlingBacksOffLonger) {
  for (auto e : {service_errc::provisioned_throughput_exceeded, service_errc::throttling,
                 service_errc::request_limit_exceeded})
    EXPECT_EQ(classify(e), retry_class::throttling);
}

TEST(Classify, TransientFailuresAreRetried) {
  EXPECT_EQ(classify(service_errc::transaction_conflict), retry_class::transient);
  EXPECT_EQ(classify(service_errc::internal_server_error, 500), retry_class::transient);
  EXPECT_EQ(classify(service_errc::unknown, 503), retry_class::transient);
  EXPECT_EQ(classify(client_errc::crc32_mismatch), retry_class::transient);
  EXPECT_EQ(classify(client_errc::connection_lost), retry_class::transient);
  EXPECT_EQ(classify(client_errc::timeout), retry_class::transient);
  EXPECT_EQ(classify(boost::asio::error::connection_reset), retry_class::transient);
  EXPECT_EQ(classify(boost::asio::error::eof), retry_class::transient);
  EXPECT_EQ(classify(boost::beast::http::error::end_of_stream), retry_class::transient);
}

TEST(Classify, CallerErrorsAndCancellationAreNot) {
  EXPECT_EQ(classify({}), retry_class::no);
  EXPECT_EQ(classify(service_errc::conditional_check_failed, 400), retry_class::no);
  EXPECT_EQ(classify(service_errc::transaction_canceled, 400), retry_class::no);
  EXPECT_EQ(classify(service_errc::validation, 400), retry_class::no);
  EXPECT_EQ(classify(service_errc::unknown, 400), retry_class::no);
  EXPECT_EQ(classify(client_errc::invalid_utf8), retry_class::no);
  EXPECT_EQ(classify(boost::asio::error::operation_aborted), retry_class::no);
  EXPECT_FALSE(is_retryable(service_errc::resource_not_found, 400));
}

TEST(Error, CarriesDiagnosticsAndAReadableMessage) {
  diagnostics d;
  d.error_type = "ConditionalCheckFailedException";
  d.message = "The conditional request failed";
  d.request_id = "REQ1";
  d.http_status = 400;
  error e(service_errc::conditional_check_failed, d);
  EXPECT_EQ(e.code(), service_errc::conditional_check_failed);
  EXPECT_EQ(e.diag().request_id, "REQ1");
  std::string what = e.what();
  EXPECT_NE(what.find("ConditionalCheckFailedException: The conditional request failed (request id REQ1)"),
            std::string::npos);
  EXPECT_THROW(throw_if(client_errc::invalid_argument), error);
  EXPECT_NO_THROW(throw_if({}));
}
