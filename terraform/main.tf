provider "aws" {
  default_tags {
    tags = var.tags
  }
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = var.name
  table_name    = "${var.name}-requests"
  role_name     = "${var.name}-function"
  api_name      = var.name

  # ARNs are built from the name rather than read from the resources, so the role's policy does
  # not depend on the function it allows to invoke (that would be a cycle: function -> role ->
  # policy -> function).
  arn_prefix     = "arn:${data.aws_partition.current.partition}"
  region_account = "${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  function_arn   = "${local.arn_prefix}:lambda:${local.region_account}:function:${local.function_name}"
  table_arn      = "${local.arn_prefix}:dynamodb:${local.region_account}:table/${local.table_name}"
  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "${local.arn_prefix}:logs:${local.region_account}:log-group:${local.log_group_name}"

  # How long a request may stay unfinished before the handler declares it failed. Lambda's async
  # queue keeps an event for at most `maximum_event_age_in_seconds`; each of the
  # (retries + 1) attempts may run for the whole timeout. Summing both is an upper bound on when
  # the last attempt can end, so the deadline never cuts off an attempt Lambda may still make.
  max_attempts             = var.async_retry_attempts + 1
  request_deadline_seconds = local.max_attempts * var.lambda_timeout_seconds + var.async_max_event_age_seconds

  # Browsers get API Gateway's own errors (403 missing key, 429 throttled, 504) only with a CORS
  # header; a gateway response holds one static value, so the first configured origin is used.
  gateway_response_allow_origin = var.cors_allow_origins[0]
  cors_expose_headers           = "Location,Retry-After"
}
