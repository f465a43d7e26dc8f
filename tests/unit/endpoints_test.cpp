#include <ddb/endpoints.hpp>

#include "env_map.hpp"

#include <gtest/gtest.h>

#include <map>

using ddb::account_id_endpoint_mode;
using ddb::client_errc;

namespace {

// The URL for `p`, or "error: why".
std::string url(ddb::endpoint_params p) {
  ddb::error_code ec;
  std::string why;
  auto u = ddb::dynamodb_endpoint(p, ec, &why);
  if (ec) return "error: " + why;
  EXPECT_TRUE(why.empty());
  return u;
}

ddb::endpoint_params region(std::string_view r, bool fips = false, bool dual = false) {
  ddb::endpoint_params p;
  p.region = r;
  p.use_fips = fips;
  p.use_dual_stack = dual;
  return p;
}

using ddb_test::env_of;

} // namespace

TEST(Partitions, ByRegion) {
  EXPECT_EQ(ddb::partition_of("us-east-1").name, "aws");
  EXPECT_EQ(ddb::partition_of("eu-west-3").name, "aws");
  EXPECT_EQ(ddb::partition_of("aws-global").name, "aws");
  EXPECT_EQ(ddb::partition_of("cn-north-1").name, "aws-cn");
  EXPECT_EQ(ddb::partition_of("cn-northwest-1").dns_suffix, "amazonaws.com.cn");
  EXPECT_EQ(ddb::partition_of("us-gov-west-1").name, "aws-us-gov");
  EXPECT_EQ(ddb::partition_of("us-iso-east-1").dns_suffix, "c2s.ic.gov");
  EXPECT_EQ(ddb::partition_of("us-isob-east-1").dns_suffix, "sc2s.sgov.gov");
  EXPECT_EQ(ddb::partition_of("eu-isoe-west-1").dns_suffix, "cloud.adc-e.uk");
  EXPECT_EQ(ddb::partition_of("us-isof-south-1").dns_suffix, "csp.hci.ic.gov");
  // What no pattern matches is aws, as in the SDKs.
  EXPECT_EQ(ddb::partition_of("mars-north-1").name, "aws");
  EXPECT_EQ(ddb::partition_of("cn-north").name, "aws"); // no trailing number
}

TEST(DynamoDbEndpoint, Variants) {
  EXPECT_EQ(url(region("us-east-1")), "https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(url(region("us-east-1", true)), "https://dynamodb-fips.us-east-1.amazonaws.com");
  EXPECT_EQ(url(region("us-east-1", false, true)), "https://dynamodb.us-east-1.api.aws");
  EXPECT_EQ(url(region("us-east-1", true, true)), "https://dynamodb-fips.us-east-1.api.aws");
  EXPECT_EQ(url(region("cn-north-1")), "https://dynamodb.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(url(region("cn-north-1", false, true)),
            "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn");
  EXPECT_EQ(url(region("cn-north-1", true)), "https://dynamodb-fips.cn-north-1.amazonaws.com.cn");
  // GovCloud's regular endpoint is its FIPS endpoint.
  EXPECT_EQ(url(region("us-gov-west-1", true)), "https://dynamodb.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(url(region("us-gov-east-1", true, true)), "https://dynamodb-fips.us-gov-east-1.api.aws");
  EXPECT_EQ(url(region("us-iso-east-1")), "https://dynamodb.us-iso-east-1.c2s.ic.gov");
  EXPECT_EQ(url(region("us-iso-east-1", true)), "https://dynamodb-fips.us-iso-east-1.c2s.ic.gov");
  EXPECT_EQ(url(region("us-isob-east-1", false, true)),
            "error: dual-stack is enabled but this partition does not support it");
  EXPECT_EQ(url(region("us-isob-east-1", true, true)),
            "error: FIPS and dual-stack are enabled, but this partition does not support one or both");
  EXPECT_EQ(url(region("local")), "http://localhost:8000");
  EXPECT_EQ(url(region("local", true)), "error: FIPS and the local endpoint are not supported together");
}

TEST(DynamoDbEndpoint, AccountIdEndpoints) {
  auto p = region("us-east-1");
  p.account_id = "111122223333";
  EXPECT_EQ(url(p), "https://111122223333.ddb.us-east-1.amazonaws.com");
  p.account_id_mode = account_id_endpoint_mode::required;
  EXPECT_EQ(url(p), "https://111122223333.ddb.us-east-1.amazonaws.com");
  p.account_id_mode = account_id_endpoint_mode::disabled;
  EXPECT_EQ(url(p), "https://dynamodb.us-east-1.amazonaws.com");
  p.account_id_mode = account_id_endpoint_mode::preferred;
  p.use_fips = true; // no FIPS account endpoints: the FIPS one
  EXPECT_EQ(url(p), "https://dynamodb-fips.us-east-1.amazonaws.com");
  p.use_fips = false;
  p.region = "cn-north-1"; // only the aws partition has them
  EXPECT_EQ(url(p), "https://dynamodb.cn-north-1.amazonaws.com.cn");
  p.region = "us-east-1";
  p.account_id = "1111.evil.com/";
  EXPECT_EQ(url(p), "error: the credentials' account id is not a valid host label");
  p.account_id = "";
  EXPECT_EQ(url(p), "https://dynamodb.us-east-1.amazonaws.com");
  p.account_id_mode = account_id_endpoint_mode::required;
  EXPECT_EQ(url(p), "error: account_id_endpoint_mode is required but the credentials carry no account id");
}

TEST(DynamoDbEndpoint, BadRegions) {
  for (auto bad : {"", "US-EAST-1", "evil.com/", "a b"}) {
    ddb::error_code ec;
    EXPECT_EQ(ddb::dynamodb_endpoint(region(bad), ec), "") << bad;
    EXPECT_EQ(ec, client_errc::invalid_argument) << bad;
  }
}

TEST(EndpointSettings, FromEnvironmentAndProfile) {
  ddb::shared_config cfg;
  ddb::error_code ec;
  std::string why;
  cfg.sections["default"] = {{"use_fips_endpoint", "true"}, {"account_id_endpoint_mode", "disabled"}};
  auto p = ddb::resolve_endpoint_params(env_of({}), cfg, "us-west-2", ec, &why);
  ASSERT_FALSE(ec) << why;
  EXPECT_TRUE(p.use_fips);
  EXPECT_FALSE(p.use_dual_stack);
  EXPECT_EQ(p.account_id_mode, account_id_endpoint_mode::disabled);
  // The environment wins.
  p = ddb::resolve_endpoint_params(env_of({{"AWS_USE_FIPS_ENDPOINT", "FALSE"},
                                           {"AWS_USE_DUALSTACK_ENDPOINT", "true"},
                                           {"AWS_ACCOUNT_ID_ENDPOINT_MODE", "Required"}}),
                                   cfg, "us-west-2", ec, &why);
  ASSERT_FALSE(ec) << why;
  EXPECT_FALSE(p.use_fips);
  EXPECT_TRUE(p.use_dual_stack);
  EXPECT_EQ(p.account_id_mode, account_id_endpoint_mode::required);

  ddb::resolve_endpoint_params(env_of({{"AWS_USE_DUALSTACK_ENDPOINT", "yes"}}), cfg, "us-west-2", ec, &why);
  EXPECT_EQ(ec, client_errc::invalid_config);
  EXPECT_EQ(why, "AWS_USE_DUALSTACK_ENDPOINT must be true or false, not 'yes'");
  ddb::resolve_endpoint_params(env_of({{"AWS_ACCOUNT_ID_ENDPOINT_MODE", "sometimes"}}), {}, "us-west-2", ec,
                               &why);
  EXPECT_EQ(ec, client_errc::invalid_config);
}

TEST(EndpointSettings, ResolveEndpointDerivesVariants) {
  ddb::error_code ec;
  std::string why;
  ddb::shared_config cfg;
  EXPECT_EQ(ddb::resolve_endpoint(env_of({{"AWS_USE_FIPS_ENDPOINT", "true"}}), cfg, "us-east-2", ec),
            "https://dynamodb-fips.us-east-2.amazonaws.com");
  EXPECT_EQ(ddb::resolve_endpoint(env_of({}), cfg, "us-east-2", ec, "111122223333"),
            "https://111122223333.ddb.us-east-2.amazonaws.com");
  // A configured URL with a variant: refused, as in the SDKs.
  EXPECT_EQ(
      ddb::resolve_endpoint(env_of({{"AWS_USE_FIPS_ENDPOINT", "true"}, {"AWS_ENDPOINT_URL", "http://x:1"}}),
                            cfg, "us-east-2", ec, {}, &why),
      "");
  EXPECT_EQ(ec, client_errc::invalid_config);
  EXPECT_EQ(why, "FIPS and a configured endpoint URL are not supported together");
  // Without a variant a configured URL wins over the account endpoint.
  EXPECT_EQ(ddb::resolve_endpoint(env_of({{"AWS_ENDPOINT_URL", "http://x:1"}}), cfg, "us-east-2", ec,
                                  "111122223333"),
            "http://x:1");
}
