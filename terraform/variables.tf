variable "name" {
  description = "Prefix for every resource name: the function, the table (<name>-requests), the role (<name>-function) and the API."
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
  description = "Reserved concurrent executions for the function; null or -1 leaves it unreserved. API calls and background work share this limit."
  type        = number
  default     = null

  validation {
    # 0 would throttle every call, including the self-invocation that runs the work.
    condition     = coalesce(var.reserved_concurrency, -1) == -1 || (coalesce(var.reserved_concurrency, -1) >= 1 && floor(coalesce(var.reserved_concurrency, -1)) == coalesce(var.reserved_concurrency, -1))
    error_message = "reserved_concurrency must be null, -1 (unreserved) or a whole number of at least 1."
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

variable "request_ttl_seconds" {
  description = "How long a request and its result stay readable, in seconds. Must exceed the request deadline ((async_retry_attempts + 1) * lambda_timeout_seconds + async_max_event_age_seconds)."
  type        = number
  default     = 86400

  validation {
    condition     = var.request_ttl_seconds >= 3600 && var.request_ttl_seconds <= 31536000 && floor(var.request_ttl_seconds) == var.request_ttl_seconds
    error_message = "request_ttl_seconds must be a whole number between 3600 (1 hour) and 31536000 (365 days)."
  }
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
  description = "Stage-wide API Gateway burst limit (requests)."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_burst_limit >= 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number of at least 0."
  }
}

variable "throttling_rate_limit" {
  description = "Stage-wide API Gateway steady-state rate limit (requests per second)."
  type        = number
  default     = 50

  validation {
    condition     = var.throttling_rate_limit >= 0
    error_message = "throttling_rate_limit must be at least 0."
  }
}

variable "access_logging_enabled" {
  description = "Write API Gateway access logs to a CloudWatch log group. Needs the account-level API Gateway CloudWatch role (aws_api_gateway_account) to be set in this region."
  type        = bool
  default     = false
}

variable "api_key_required" {
  description = "Require an API key (x-api-key header) on POST, GET and DELETE; creates a usage plan and one key. Preflights never need a key."
  type        = bool
  default     = false
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

variable "request_id_secret_version" {
  description = "Change to rotate the secret that keys request ids for Idempotency-Keys. After a rotation, a key sent before it maps to a new request id, so a replay within the TTL starts new work."
  type        = string
  default     = "1"
}
