provider "aws" {
  # null falls back to AWS_REGION, AWS_DEFAULT_REGION or the profile's region.
  region = var.region

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

  # Bucket names are global across all AWS accounts, so the account and region make this one
  # unique: <name>-results-<account_id>-<region>, lower-cased. When that is over S3's 63
  # characters (a long name in a long region), the name is cut and followed by 8 hex characters of
  # its hash, so two long names that start alike still get different buckets.
  results_bucket_suffix = "-results-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
  results_bucket_room   = 63 - length(local.results_bucket_suffix)
  results_bucket_name = lower(length(var.name) <= local.results_bucket_room ? "${var.name}${local.results_bucket_suffix}" : (
    "${substr(var.name, 0, local.results_bucket_room - 9)}-${substr(sha256(var.name), 0, 8)}${local.results_bucket_suffix}"
  ))
  results_bucket_arn = "${local.arn_prefix}:s3:::${local.results_bucket_name}"

  # Every object the function writes is under this prefix (REQUESTS_PREFIX in
  # src/storage/keys.ts, checked by test/terraform/drift.test.ts): the role's permissions and the
  # lifecycle rule cover it and nothing else.
  results_prefix = "requests/"

  # S3 expires objects in whole days: the request TTL rounded up to days, plus one, so an object
  # is never gone while its request can still be read.
  results_expiration_days = ceil(var.request_ttl_seconds / 86400) + 1

  # How long a request may stay unfinished before the handler declares it failed. Lambda's async
  # queue keeps an event for at most `maximum_event_age_in_seconds`; each of the
  # (retries + 1) attempts may run for the whole timeout. Summing both is an upper bound on when
  # the last attempt can end, so the deadline never cuts off an attempt Lambda may still make.
  # Work that continues over many invocations needs longer: var.request_deadline_seconds.
  max_attempts             = var.async_retry_attempts + 1
  request_deadline_seconds = coalesce(var.request_deadline_seconds, local.max_attempts * var.lambda_timeout_seconds + var.async_max_event_age_seconds)

  # Direct continuations in a row (CONTINUATION_CHAIN_MAX, src/requests/lambda-chain.ts): below
  # the 16 invocations after which loop detection stops a chain, or, with detection off, many.
  continuation_chain_max = var.recursive_loop == "Allow" ? 1000 : 12

  # Exactly one front is created: the REST API (api.tf), the HTTP API (http_api.tf) or the function
  # URL (function_url.tf).
  rest_front          = var.front == "rest"
  http_api_front      = var.front == "http_api"
  function_url_front  = var.front == "function_url"
  function_url_public = local.function_url_front && local.function_url_auth_type == "NONE"

  # Safe by default: the REST API requires a key unless api_key_required = false says otherwise
  # or auth names another way to identify callers (a function URL has no keys; it is IAM-only
  # unless auth or function_url_auth_type says otherwise).
  api_key_required = local.rest_front && local.auth == "api_key" && (var.api_key_required == null ? true : var.api_key_required)

  # Anyone on the internet may start work (and so make the function POST to callback hosts).
  anyone_can_call = local.auth == "none" || (local.rest_front && local.auth == "api_key" && !local.api_key_required)

  # What every URL output starts with: the stage URL (…/api), the HTTP API's endpoint (its
  # $default stage adds no path), or the function URL without the trailing slash AWS gives it
  # (https://<url-id>.lambda-url.<region>.on.aws).
  api_base_url = (
    local.rest_front ? one(aws_api_gateway_stage.this[*].invoke_url) :
    local.http_api_front ? one(aws_apigatewayv2_api.this[*].api_endpoint) :
    trimsuffix(one(aws_lambda_function_url.this[*].function_url), "/")
  )

  # Browsers get API Gateway's own errors (403 missing key, 429 throttled, 504) only with a CORS
  # header; a gateway response holds one static value, so the first configured origin is used.
  gateway_response_allow_origin = var.cors_allow_origins[0]
  cors_expose_headers           = "Location,Retry-After"

  # A function URL and an HTTP API answer preflights themselves from their CORS configuration
  # (function_url.tf, http_api.tf), so these must match what the function allows (src/contract.ts ALLOWED_METHODS without OPTIONS,
  # ALLOWED_HEADERS and EXPOSED_HEADERS; checked by test/terraform/drift.test.ts).
  function_url_cors_allow_methods  = ["GET", "POST", "DELETE"]
  function_url_cors_allow_headers  = ["content-type", "idempotency-key", "x-api-key", "authorization"]
  function_url_cors_expose_headers = ["location", "retry-after"]

  # How long browsers may cache a preflight, as the function says on its own preflights
  # (PREFLIGHT_MAX_AGE_SECONDS in src/http/cors.ts).
  cors_preflight_max_age_seconds = 600

  # The table's sparse index the sweeper queries (SWEEP_INDEX in src/requests/sweep-index.ts,
  # checked by test/terraform/drift.test.ts): the table (dynamodb.tf) and the role's Query
  # permission (iam.tf) both name it through this local, so they cannot drift apart.
  sweep_index     = "sweep"
  sweep_index_arn = "${local.table_arn}/index/${local.sweep_index}"

  # The index GET /v1/requests reads, a caller's requests newest first (OWNER_INDEX and
  # OWNER_INDEX_ATTRIBUTES in src/requests/owner-index.ts, checked by test/terraform/drift.test.ts).
  # It projects what a list item shows, never the result, so a page costs one Query of small items.
  owner_index            = "by_owner"
  owner_index_arn        = "${local.table_arn}/index/${local.owner_index}"
  owner_index_attributes = ["status", "task", "updated_at", "expires_at", "progress", "step", "error", "error_code", "session_id"]

  # Where the function's Embedded Metric Format lines put its metrics (METRICS_NAMESPACE in
  # src/metrics.ts, checked by test/terraform/drift.test.ts); the alarms (alarms.tf) read them here.
  metrics_namespace = "AsyncRouter"

  # The sweeper's schedule lives in a group of its own, so the scheduler role's trust policy can
  # name that group (aws:SourceArn) rather than every schedule of the account.
  # Suffixed, so that it is never "default", the group EventBridge Scheduler keeps for every schedule
  # of the account (name = "default" would otherwise make the role trust all of them).
  sweep_schedule_group_name = "${var.name}-sweeper"
  sweep_schedule_group_arn  = "${local.arn_prefix}:scheduler:${local.region_account}:schedule-group/${local.sweep_schedule_group_name}"
}
