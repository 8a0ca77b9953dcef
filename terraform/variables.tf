variable "name" {
  description = "Prefix for every resource name: the function, the table (<name>-requests), the role (<name>-function), the API and the results bucket (<name>-results-<account_id>-<region>, lower-cased)."
  type        = string
  default     = "async-router"

  validation {
    # 40 characters leaves room for suffixes within the 64-character limit of IAM role names.
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,38}[a-zA-Z0-9]$", var.name))
    error_message = "name must be 2-40 characters of letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "tags" {
  description = "Tags applied to every resource through the provider's default_tags."
  type        = map(string)
  default     = {}
}

variable "lambda_zip_path" {
  description = "Path to the deployment package built by `npm run build`; null means ../dist/lambda.zip next to this module (a variable default cannot refer to path.module)."
  type        = string
  default     = null
}

variable "lambda_runtime" {
  description = "Lambda runtime. nodejs20.x and older are deprecated; hashicorp/aws 5.100 does not know nodejs24.x yet."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs22.x"], var.lambda_runtime)
    error_message = "lambda_runtime must be nodejs22.x: nodejs20.x and older are deprecated, and newer runtimes need a newer AWS provider."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the function in MB (CPU scales with it)."
  type        = number
  default     = 256

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number between 128 and 10240."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of one invocation in seconds; bounds how long one attempt at the work may run."
  type        = number
  default     = 900

  validation {
    # Below 30 s the function could not hold a 25 s long-poll plus its own overhead.
    condition     = var.lambda_timeout_seconds >= 30 && var.lambda_timeout_seconds <= 900 && floor(var.lambda_timeout_seconds) == var.lambda_timeout_seconds
    error_message = "lambda_timeout_seconds must be a whole number between 30 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions for the function; null or -1 leaves it unreserved. Every invocation shares this one limit: API calls, long-polls (each holds an execution while it waits) and the background workers. Reserving needs spare account concurrency: Lambda keeps at least 100 executions unreserved per account and region, and new accounts often have a concurrency quota of only 10, where any reservation fails at apply (see README)."
  type        = number
  default     = null

  validation {
    # 0 would throttle every call, including the self-invocation that runs the work. The account's
    # quota cannot be read at plan time, so a reservation it cannot afford fails at apply.
    condition     = coalesce(var.reserved_concurrency, -1) == -1 || (coalesce(var.reserved_concurrency, -1) >= 1 && floor(coalesce(var.reserved_concurrency, -1)) == coalesce(var.reserved_concurrency, -1))
    error_message = "reserved_concurrency must be null, -1 (unreserved) or a whole number of at least 1. Note that Lambda keeps 100 executions per account and region unreserved, so an account with a quota of 10 (common for new accounts) cannot reserve any: leave it null there."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group (and the API access log group, when enabled), in days; 0 keeps logs forever."
  type        = number
  default     = 14

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' values: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "async_retry_attempts" {
  description = "How many times Lambda retries a failed background invocation (0-2). The function's MAX_ATTEMPTS is this plus one."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.async_retry_attempts)
    error_message = "async_retry_attempts must be 0, 1 or 2."
  }
}

variable "async_max_event_age_seconds" {
  description = "How long Lambda keeps a background invocation queued (including retries) before dropping it, in seconds."
  type        = number
  default     = 3600

  validation {
    condition     = var.async_max_event_age_seconds >= 60 && var.async_max_event_age_seconds <= 21600 && floor(var.async_max_event_age_seconds) == var.async_max_event_age_seconds
    error_message = "async_max_event_age_seconds must be a whole number between 60 and 21600."
  }
}

variable "request_deadline_seconds" {
  description = "How long a request may stay unfinished before it ends as deadline_exceeded, in seconds. null (the default) computes it from Lambda's bound on one event ((async_retry_attempts + 1) * lambda_timeout_seconds + async_max_event_age_seconds). Raise it, up to 365 days, for tasks whose steps go on through continuations for longer (README, \"Long and multi-step work\"); request_ttl_seconds must stay longer."
  type        = number
  default     = null

  validation {
    condition     = var.request_deadline_seconds == null || try(var.request_deadline_seconds >= 60 && var.request_deadline_seconds <= 31536000 && floor(var.request_deadline_seconds) == var.request_deadline_seconds, false)
    error_message = "request_deadline_seconds must be null or a whole number between 60 and 31536000 (365 days)."
  }
}

variable "recursive_loop" {
  description = "Lambda's recursive loop detection for the function: Terminate (AWS's default) stops a chain of invocations after 16; Allow turns the protection off. A task's continuations are such a chain: with Terminate the function hands every 12th continuation to the sweeper, which starts a new chain (a pause of up to one sweep interval); with Allow it invokes itself directly up to 1000 times in a row. See README, \"Continuations and Lambda's loop detection\"."
  type        = string
  default     = "Terminate"

  validation {
    condition     = contains(["Terminate", "Allow"], var.recursive_loop)
    error_message = "recursive_loop must be Terminate or Allow."
  }
}

variable "request_ttl_seconds" {
  description = "How long a request and its result stay readable, in seconds. Must exceed the request deadline ((async_retry_attempts + 1) * lambda_timeout_seconds + async_max_event_age_seconds). Objects in the results bucket expire this long, rounded up to whole days, plus one day, after they are written."
  type        = number
  default     = 86400

  validation {
    condition     = var.request_ttl_seconds >= 3600 && var.request_ttl_seconds <= 31536000 && floor(var.request_ttl_seconds) == var.request_ttl_seconds
    error_message = "request_ttl_seconds must be a whole number between 3600 (1 hour) and 31536000 (365 days)."
  }
}

variable "result_url_seconds" {
  description = "How long a presigned URL to a result or file in the results bucket works, in seconds (1-604800, S3's 7-day limit); never longer than request_ttl_seconds, and the function cuts a URL short at its request's expiry."
  type        = number
  default     = 900

  validation {
    condition     = var.result_url_seconds >= 1 && var.result_url_seconds <= 604800 && floor(var.result_url_seconds) == var.result_url_seconds
    error_message = "result_url_seconds must be a whole number between 1 and 604800 (7 days, the longest a presigned URL works)."
  }
}

variable "max_output_bytes" {
  description = "The most one request may write to the results bucket, its result, files and step checkpoints together over all its invocations, in bytes (default 1 GiB; at least 1024, at most 5 TiB, S3's largest object)."
  type        = number
  default     = 1073741824

  validation {
    # The upper bound is the function's own (src/config.ts), which refuses to start above it.
    condition     = var.max_output_bytes >= 1024 && var.max_output_bytes <= 5497558138880 && floor(var.max_output_bytes) == var.max_output_bytes
    error_message = "max_output_bytes must be a whole number between 1024 and 5497558138880 (5 TiB)."
  }
}

variable "results_bucket_force_destroy" {
  description = "Let `terraform destroy` delete the results bucket with the objects in it. false (default) makes destroy fail while the bucket holds objects, so nothing is lost to a mistaken destroy; set true and apply before destroying, or empty the bucket first."
  type        = bool
  default     = false
}

variable "demo_task_ms" {
  description = "Duration of the built-in demo task, in milliseconds."
  type        = number
  default     = 3000

  validation {
    condition     = var.demo_task_ms >= 0 && var.demo_task_ms <= 900000 && floor(var.demo_task_ms) == var.demo_task_ms
    error_message = "demo_task_ms must be a whole number between 0 and 900000."
  }
}

variable "dynamodb_point_in_time_recovery" {
  description = "Enable point-in-time recovery on the requests table."
  type        = bool
  default     = true
}

variable "deletion_protection_enabled" {
  description = "Protect the requests table from deletion. To destroy the deployment, apply with this set to false first, then destroy."
  type        = bool
  default     = true
}

variable "dynamodb_kms_key_arn" {
  description = "ARN of a customer managed KMS key (in the deployment's region) to encrypt the requests table with; the function's role then gets kms:Decrypt, kms:Encrypt, kms:GenerateDataKey and kms:DescribeKey on that key, through DynamoDB only. null uses DynamoDB's AWS owned key (no KMS charge)."
  type        = string
  default     = null

  validation {
    # A key ARN, not an alias: IAM statements and the table both need the key itself.
    condition     = var.dynamodb_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.dynamodb_kms_key_arn))
    error_message = "dynamodb_kms_key_arn must be null or a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)."
  }
}

variable "cors_allow_origins" {
  description = "Origins allowed to call the API from a browser: [\"*\"] for any, or a list of origins like https://app.example.com (scheme, lower-case host, optional port, no path)."
  type        = list(string)
  default     = ["*"]

  validation {
    # join() rather than == ["*"]: a list(string) never equals a tuple literal in HCL.
    condition = join(",", var.cors_allow_origins) == "*" || (
      length(var.cors_allow_origins) > 0 &&
      # The function compares each entry with the URL's normalised origin, so a default port
      # (:443 on https, :80 on http) or a leading zero would never match a browser's Origin.
      alltrue([for origin in var.cors_allow_origins :
        can(regex("^https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[1-9][0-9]{0,4})?$", origin)) &&
        !can(regex("^(https://.*:443|http://.*:80)$", origin))
      ])
    )
    error_message = "cors_allow_origins must be [\"*\"] alone or a non-empty list of origins such as https://app.example.com or http://localhost:5173 (lower-case host, no default port, no path, no trailing slash)."
  }
}

variable "front" {
  description = "What clients call: \"rest\" for an API Gateway REST API (stage, throttling, optional API key, Cognito authorizer and access logs), \"http_api\" for an API Gateway HTTP API (payload format 2.0, throttling, JWT authorizer or IAM routes, access logs; no API keys), or \"function_url\" for a Lambda function URL (no API Gateway; no API key, throttling or access logs; see README)."
  type        = string
  default     = "rest"

  validation {
    condition     = contains(["rest", "http_api", "function_url"], var.front)
    error_message = "front must be \"rest\" (API Gateway REST API), \"http_api\" (API Gateway HTTP API) or \"function_url\" (Lambda function URL)."
  }
}

variable "function_url_auth_type" {
  description = "Authorization of the function URL (front = function_url): \"AWS_IAM\" lets only IAM principals with lambda:InvokeFunctionUrl and lambda:InvokeFunction on the function call it (SigV4-signed requests); \"NONE\" makes it public (auth = \"jwt\" or \"none\"). null (default) follows auth: AWS_IAM for iam, NONE for jwt and none; AWS_IAM when auth is null too."
  type        = string
  default     = null

  validation {
    condition     = var.function_url_auth_type == null || contains(["AWS_IAM", "NONE"], coalesce(var.function_url_auth_type, "-"))
    error_message = "function_url_auth_type must be null, \"AWS_IAM\" or \"NONE\"."
  }
}

variable "auth" {
  description = "Who may call the API, and who owns what they create: \"api_key\" (front = rest: the API key's id), \"jwt\" (an OIDC bearer token's issuer and subject, verified by the front when it can: the HTTP API's JWT authorizer, the REST API's Cognito authorizer; else by the function), \"iam\" (SigV4-signed calls: front = function_url or http_api) or \"none\" (anyone; one anonymous tenant). null (default) keeps what each front did before: api_key on rest, function_url_auth_type's choice on function_url (AWS_IAM: iam, NONE: none); http_api needs an explicit choice. See README, \"Users and sign-in\"."
  type        = string
  default     = null

  validation {
    condition     = var.auth == null || contains(["api_key", "jwt", "iam", "none"], coalesce(var.auth, "-"))
    error_message = "auth must be \"api_key\", \"jwt\", \"iam\" or \"none\"."
  }
}

variable "jwt_issuer" {
  description = "auth = \"jwt\": the token issuer, exactly as tokens name it in iss (the function reads its OIDC discovery document at <issuer>/.well-known/openid-configuration), e.g. https://cognito-idp.<region>.amazonaws.com/<pool id> or https://<tenant>.auth0.com/. null when cognito_user_pool_arn or create_user_pool supplies it."
  type        = string
  default     = null

  validation {
    # The function fetches keys from the issuer, so it must be https (no query or fragment).
    condition     = var.jwt_issuer == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^?#\\s]*)?$", coalesce(var.jwt_issuer, "-")))
    error_message = "jwt_issuer must be an https URL with no query or fragment, such as https://example.eu.auth0.com/ or https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123."
  }
}

variable "jwt_audience" {
  description = "auth = \"jwt\": the one audience a token must name in aud (for Cognito, the app client id: send the ID token). null when create_user_pool supplies it."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_audience == null || can(regex("^[^\\s,]{1,256}$", coalesce(var.jwt_audience, "-")))
    error_message = "jwt_audience must be one audience: 1-256 characters with no space or comma."
  }
}

variable "cognito_user_pool_arn" {
  description = "auth = \"jwt\": an existing Cognito user pool whose tokens the API accepts. Its issuer is derived from the ARN; set jwt_audience to the app client id. With front = rest, every method but the preflights gets a Cognito authorizer on it."
  type        = string
  default     = null

  validation {
    condition     = var.cognito_user_pool_arn == null || can(regex("^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[a-z0-9-]+_[A-Za-z0-9]+$", coalesce(var.cognito_user_pool_arn, "-")))
    error_message = "cognito_user_pool_arn must be a user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123."
  }
}

variable "create_user_pool" {
  description = "auth = \"jwt\": create a Cognito user pool, a public app client (authorization code with PKCE, no secret) and a hosted UI domain, and use them as issuer and audience. Outputs user_pool and auth give a web page what it needs to sign in."
  type        = bool
  default     = false
}

variable "user_pool_callback_urls" {
  description = "create_user_pool: where the hosted UI may send users back after sign-in (and sign-out): https URLs, or http://localhost for development."
  type        = list(string)
  default     = ["http://localhost:3000/"]

  validation {
    condition     = length(var.user_pool_callback_urls) > 0 && alltrue([for url in var.user_pool_callback_urls : can(regex("^(https://[^\\s#]+|http://localhost(:[0-9]{1,5})?(/[^\\s#]*)?)$", url))])
    error_message = "user_pool_callback_urls must be a non-empty list of https URLs, or http://localhost URLs (Cognito allows plain http for localhost only), with no fragment."
  }
}

variable "user_pool_self_sign_up" {
  description = "create_user_pool: let anyone sign themselves up in the hosted UI. false (default): only an administrator creates users (aws cognito-idp admin-create-user), so nobody unknown can start work."
  type        = bool
  default     = false
}

variable "user_pool_domain_prefix" {
  description = "create_user_pool: the hosted UI's domain prefix (https://<prefix>.auth.<region>.amazoncognito.com), unique in the region. null: <name>-<account id>, lower-cased."
  type        = string
  default     = null

  validation {
    # Cognito refuses prefixes that contain aws, amazon or cognito.
    condition     = var.user_pool_domain_prefix == null || (can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", coalesce(var.user_pool_domain_prefix, "-"))) && !can(regex("aws|amazon|cognito", coalesce(var.user_pool_domain_prefix, "-"))))
    error_message = "user_pool_domain_prefix must be 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, and must not contain aws, amazon or cognito."
  }
}

variable "stage_name" {
  description = "API Gateway stage name; it is the first path segment of every URL (…/api/v1/invoke)."
  type        = string
  default     = "api"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 letters, digits, hyphens or underscores."
  }
}

variable "throttling_burst_limit" {
  description = "Default API Gateway burst limit (requests) of each method of the stage (method settings */*): a per-method limit, not a total for the API."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_burst_limit >= 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number of at least 0."
  }
}

variable "throttling_rate_limit" {
  description = "Default API Gateway steady-state rate limit (requests per second) of each method of the stage (method settings */*): a per-method limit, not a total for the API."
  type        = number
  default     = 50

  validation {
    condition     = var.throttling_rate_limit >= 0
    error_message = "throttling_rate_limit must be at least 0."
  }
}

variable "access_logging_enabled" {
  description = "Write API Gateway access logs to a CloudWatch log group (front = rest only). Needs the account-level API Gateway CloudWatch role to be set in this region: see create_api_gateway_account_role."
  type        = bool
  default     = false
}

variable "create_api_gateway_account_role" {
  description = "Create the IAM role API Gateway uses to write CloudWatch logs and set it as this account's API Gateway setting (aws_api_gateway_account). That setting is one per account and region, shared by every API there: enable this only where nothing else manages it."
  type        = bool
  default     = false
}

variable "api_key_required" {
  description = "Require an API key (x-api-key header) on POST, GET and DELETE; creates a usage plan and one key (output api_key, sensitive). Preflights never need a key. null (default) means true with front = rest and auth = \"api_key\"; false makes an API anyone can call. front = rest and auth = \"api_key\" only: the other fronts have no keys, and the other auth modes identify callers otherwise."
  type        = bool
  default     = null
}

variable "api_key_quota_limit" {
  description = "Requests one API key may make per api_key_quota_period (used when api_key_required)."
  type        = number
  default     = 10000

  validation {
    condition     = var.api_key_quota_limit >= 1 && floor(var.api_key_quota_limit) == var.api_key_quota_limit
    error_message = "api_key_quota_limit must be a whole number of at least 1."
  }
}

variable "api_key_quota_period" {
  description = "Period of the API key quota: DAY, WEEK or MONTH (used when api_key_required)."
  type        = string
  default     = "DAY"

  validation {
    condition     = contains(["DAY", "WEEK", "MONTH"], var.api_key_quota_period)
    error_message = "api_key_quota_period must be DAY, WEEK or MONTH."
  }
}

variable "api_key_throttle_burst_limit" {
  description = "Burst limit for requests made with the API key (used when api_key_required)."
  type        = number
  default     = 20

  validation {
    condition     = var.api_key_throttle_burst_limit >= 0 && floor(var.api_key_throttle_burst_limit) == var.api_key_throttle_burst_limit
    error_message = "api_key_throttle_burst_limit must be a whole number of at least 0."
  }
}

variable "api_key_throttle_rate_limit" {
  description = "Rate limit (requests per second) for requests made with the API key (used when api_key_required)."
  type        = number
  default     = 10

  validation {
    condition     = var.api_key_throttle_rate_limit >= 0
    error_message = "api_key_throttle_rate_limit must be at least 0."
  }
}

variable "extra_policy_statements" {
  description = "Extra statements for the function's role policy, for what a task calls (for example bedrock:InvokeModel on one model ARN). Each needs actions (\"service:Action\") and resources (ARNs); sid (letters and digits), effect (default Allow) and conditions are optional. Bare \"*\" or \"service:*\" actions and \"*\" resources are refused."
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.extra_policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Every extra_policy_statements entry needs at least one action and at least one resource."
  }

  validation {
    # service:Action, with wildcards only inside the action name (s3:Get* is fine, s3:* is not).
    condition = alltrue(flatten([for s in var.extra_policy_statements : [
      for action in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9*]*[A-Za-z0-9][A-Za-z0-9*]*$", action))
    ]]))
    error_message = "extra_policy_statements actions must look like \"service:Action\" (for example bedrock:InvokeModel); \"*\" and \"service:*\" are refused."
  }

  validation {
    condition = alltrue(flatten([for s in var.extra_policy_statements : [
      for resource in s.resources : startswith(resource, "arn:")
    ]]))
    error_message = "extra_policy_statements resources must be ARNs (arn:...); a bare \"*\" is refused."
  }

  validation {
    condition     = alltrue([for s in var.extra_policy_statements : contains(["Allow", "Deny"], s.effect)])
    error_message = "extra_policy_statements effect must be \"Allow\" or \"Deny\"."
  }

  validation {
    # IAM accepts only letters and digits in a Sid.
    condition     = alltrue([for s in var.extra_policy_statements : s.sid == null || can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "extra_policy_statements sids must be letters and digits only."
  }

  validation {
    # Every Sid in the policy must be unique, the nine built-in ones (iam.tf) included.
    condition = length(distinct(concat(
      ["WriteOwnLogs", "ReadWriteRequests", "QuerySweepIndex", "QueryOwnerIndex", "InvokeSelf", "ResultsObjects", "UseTableKey", "ReadSecrets", "DecryptSecrets"],
      compact([for s in var.extra_policy_statements : s.sid]),
    ))) == 9 + length(compact([for s in var.extra_policy_statements : s.sid]))
    error_message = "extra_policy_statements sids must be unique and none of WriteOwnLogs, ReadWriteRequests, QuerySweepIndex, QueryOwnerIndex, InvokeSelf, ResultsObjects, UseTableKey, ReadSecrets, DecryptSecrets."
  }
}

variable "region" {
  description = "AWS region to deploy to; null uses the provider's usual sources (AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be null or a region name such as eu-west-1 or us-gov-west-1."
  }
}

variable "request_id_secret_version" {
  description = "Raise to rotate the secret that keys request ids for Idempotency-Keys (SSM parameter /<name>/request-id-secret): each new number writes a new random secret. After a rotation, a key sent before it maps to a new request id, so a replay within the TTL starts new work."
  type        = number
  default     = 1

  validation {
    condition     = var.request_id_secret_version >= 1 && floor(var.request_id_secret_version) == var.request_id_secret_version
    error_message = "request_id_secret_version must be a whole number of at least 1."
  }
}

variable "webhook_secret_version" {
  description = "Raise to rotate the secret that signs completion webhooks (SSM parameter /<name>/webhook-secret): each new number writes a new random secret. Receivers must be given it (see README, \"Rotating the secrets\")."
  type        = number
  default     = 1

  validation {
    condition     = var.webhook_secret_version >= 1 && floor(var.webhook_secret_version) == var.webhook_secret_version
    error_message = "webhook_secret_version must be a whole number of at least 1."
  }
}

variable "secrets_kms_key_arn" {
  description = "ARN of a customer managed KMS key to encrypt the two secret parameters with; the function's role then gets kms:Decrypt on that key, through SSM only. null uses SSM's AWS managed key (aws/ssm), which needs no permission beyond ssm:GetParameters."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.secrets_kms_key_arn))
    error_message = "secrets_kms_key_arn must be null or a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)."
  }
}

variable "callback_allowed_hosts" {
  description = "Host names a request's callback_url may point at: exact names (hooks.example.com) or a leading wildcard for any subdomain (*.example.com), lower-case. [] (default) allows any public host; private, loopback and link-local addresses are refused either way."
  type        = list(string)
  default     = []

  validation {
    # The function's own check (src/config.ts), which refuses to start on anything else.
    condition = alltrue([for host in var.callback_allowed_hosts :
      can(regex("^(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", host))
    ])
    error_message = "callback_allowed_hosts entries must be lower-case host names such as hooks.example.com, or *.example.com for its subdomains (no scheme, port, path or other wildcard)."
  }
}

variable "callback_max_attempts" {
  description = "Deliveries of one completion webhook before it is given up (1-30): three within the invocation that ended the request, the rest by the sweeper, 30 s apart at first, doubling up to an hour. A webhook given up counts in the WebhookFailures metric."
  type        = number
  default     = 12

  validation {
    condition     = var.callback_max_attempts >= 1 && var.callback_max_attempts <= 30 && floor(var.callback_max_attempts) == var.callback_max_attempts
    error_message = "callback_max_attempts must be a whole number between 1 and 30."
  }
}

variable "callback_timeout_ms" {
  description = "How long one webhook try may take, from looking up the callback host to the receiver's last byte, in milliseconds (100-30000). One try and 2 s of headroom must fit in lambda_timeout_seconds, or no try could ever be made."
  type        = number
  default     = 5000

  validation {
    condition     = var.callback_timeout_ms >= 100 && var.callback_timeout_ms <= 30000 && floor(var.callback_timeout_ms) == var.callback_timeout_ms
    error_message = "callback_timeout_ms must be a whole number between 100 and 30000."
  }
}

variable "sweep_enabled" {
  description = "Run the sweeper on its schedule. false disables the schedule (it stays, with its role): lost background events then wait for the request deadline, and webhooks get no retries beyond the ones made when the request ends."
  type        = bool
  default     = true
}

variable "sweep_schedule_expression" {
  description = "When the sweeper runs, as an EventBridge Scheduler rate() or cron() expression (UTC). The default, every minute, bounds how late a lost request is re-dispatched and a webhook retried."
  type        = string
  default     = "rate(1 minute)"

  validation {
    # rate(<positive whole number> <unit>) or cron() with its six fields; one-time at() schedules
    # are refused, the sweeper must recur.
    # AWS takes the singular unit for 1 and the plural for anything else: rate(1 minute), rate(5 minutes).
    condition     = can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\([^\\s()]+(\\s[^\\s()]+){5}\\))$", var.sweep_schedule_expression))
    error_message = "sweep_schedule_expression must be a rate() expression such as rate(1 minute) or rate(5 minutes) (singular unit for 1, plural otherwise), or a cron() expression with six fields such as cron(*/2 * * * ? *)."
  }
}

variable "alarm_actions" {
  description = "ARNs of SNS topics told when an alarm (failed requests, webhook failures) goes off and when it is back to OK. [] (default) creates the alarms with no one to tell."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "alarm_actions must be SNS topic ARNs such as arn:aws:sns:eu-west-1:123456789012:ops-alerts."
  }
}

variable "failed_requests_alarm_threshold" {
  description = "How many failed requests (the Failed metric, every error_code the service decided; a cancel is not a failure) within 5 minutes set off the failed-requests alarm."
  type        = number
  default     = 1

  validation {
    condition     = var.failed_requests_alarm_threshold >= 1 && floor(var.failed_requests_alarm_threshold) == var.failed_requests_alarm_threshold
    error_message = "failed_requests_alarm_threshold must be a whole number of at least 1."
  }
}

variable "webhook_failures_alarm_threshold" {
  description = "How many webhooks given up (the WebhookFailures metric) within 5 minutes set off the webhook-failures alarm."
  type        = number
  default     = 1

  validation {
    condition     = var.webhook_failures_alarm_threshold >= 1 && floor(var.webhook_failures_alarm_threshold) == var.webhook_failures_alarm_threshold
    error_message = "webhook_failures_alarm_threshold must be a whole number of at least 1."
  }
}
