// ddb/endpoints.hpp: DynamoDB's public endpoints, as the AWS SDKs' endpoint rules derive them:
// partitions and their DNS suffixes, FIPS and dual-stack variants, account-ID based endpoints.
// No I/O.
#pragma once

#include <ddb/aws_config.hpp>
#include <ddb/error_code.hpp>

#include <string>
#include <string_view>

namespace ddb {

/// An AWS partition (the SDKs' partitions.json): the DNS suffixes of its regions.
struct partition {
  std::string_view name;                  ///< "aws", "aws-cn", "aws-us-gov", "aws-iso", ...
  std::string_view dns_suffix;            ///< "amazonaws.com"
  std::string_view dual_stack_dns_suffix; ///< "api.aws"
  bool supports_fips = true;
  bool supports_dual_stack = false;
};

/// The partition of `region`: by name (aws-global, aws-cn-global...), then by pattern (cn-*-N,
/// us-gov-*-N, us-iso-*-N, us-isob-*-N, eu-isoe-*-N, us-isof-*-N, and the aws pattern); a region
/// no pattern matches belongs to "aws", as in the SDKs.
const partition& partition_of(std::string_view region) noexcept;

/// AWS_ACCOUNT_ID_ENDPOINT_MODE / the profile's account_id_endpoint_mode.
enum class account_id_endpoint_mode {
  preferred, ///< the account's endpoint when the account id is known (the SDKs' default)
  required,  ///< the account's endpoint, or an error when the account id is unknown
  disabled,  ///< the regional endpoint always
};

/// What DynamoDB's endpoint rules take.
struct endpoint_params {
  std::string_view region;
  bool use_fips = false;       ///< AWS_USE_FIPS_ENDPOINT / use_fips_endpoint
  bool use_dual_stack = false; ///< AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint
  account_id_endpoint_mode account_id_mode = account_id_endpoint_mode::preferred;
  std::string_view account_id; ///< the credentials' account, if known (12 digits)
};

/// The endpoint URL DynamoDB's rules give (botocore's endpoint-rule-set-1.json):
///  - FIPS and dual-stack: https://dynamodb-fips.REGION.DUALSTACK_SUFFIX;
///  - FIPS: https://dynamodb-fips.REGION.SUFFIX (in aws-us-gov: https://dynamodb.REGION.SUFFIX,
///    which is FIPS there);
///  - dual-stack: https://dynamodb.REGION.DUALSTACK_SUFFIX;
///  - an account id known, partition aws, neither variant, mode not disabled:
///    https://ACCOUNT.ddb.REGION.amazonaws.com;
///  - else https://dynamodb.REGION.SUFFIX; region "local": http://localhost:8000.
/// client_errc::invalid_config, with the SDKs' reason in `why`: a variant the partition lacks,
/// a variant with region "local", mode required without an account id, an account id that is
/// not a host label, a region that is not [a-z0-9-].
std::string dynamodb_endpoint(const endpoint_params& p, error_code& ec, std::string* why = nullptr);

/// The endpoint settings of the environment and the active profile, for `region`:
/// AWS_USE_FIPS_ENDPOINT (else the profile's use_fips_endpoint), AWS_USE_DUALSTACK_ENDPOINT
/// (use_dualstack_endpoint), AWS_ACCOUNT_ID_ENDPOINT_MODE (account_id_endpoint_mode). Booleans
/// are true or false, the mode preferred, required or disabled (any case); anything else is
/// client_errc::invalid_config naming the setting in `why`. `account_id` stays empty: it comes
/// from the credentials.
endpoint_params resolve_endpoint_params(const env_lookup& env, const shared_config& cfg,
                                        std::string_view region, error_code& ec, std::string* why = nullptr);

} // namespace ddb
