locals {
  lambda_zip_path = coalesce(var.lambda_zip_path, "${path.module}/../dist/lambda.zip")

  # null when the package is missing, so that the function's precondition (which says how to
  # build it) reports the problem instead of filebase64sha256's own error.
  lambda_zip_hash = try(filebase64sha256(local.lambda_zip_path), null)
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "this" {
  function_name = local.function_name
  # The secrets' versions: a rotation updates the function's configuration, so invocations after
  # the apply run in fresh execution environments, whose cold start reads the new value.
  description      = "Async request router: accepts requests, runs them in the background, reports status. Secrets v${var.request_id_secret_version}/v${var.webhook_secret_version}."
  role             = aws_iam_role.this.arn
  filename         = local.lambda_zip_path
  source_code_hash = local.lambda_zip_hash
  handler          = "index.handler"
  runtime          = var.lambda_runtime
  architectures    = ["arm64"]
  memory_size      = var.lambda_memory_mb
  timeout          = var.lambda_timeout_seconds

  reserved_concurrent_executions = coalesce(var.reserved_concurrency, -1)

  # Exactly DEPLOYED_ENV_VARS from src/config.ts (checked by test/terraform/drift.test.ts).
  environment {
    variables = {
      REQUESTS_TABLE              = aws_dynamodb_table.this.name
      REQUEST_TTL_SECONDS         = tostring(var.request_ttl_seconds)
      REQUEST_DEADLINE_SECONDS    = tostring(local.request_deadline_seconds)
      MAX_ATTEMPTS                = tostring(local.max_attempts)
      CORS_ALLOW_ORIGINS          = join(",", var.cors_allow_origins)
      DEMO_TASK_MS                = tostring(var.demo_task_ms)
      REQUEST_ID_SECRET_PARAMETER = aws_ssm_parameter.request_id_secret.name
      RESULTS_BUCKET              = aws_s3_bucket.this.bucket
      RESULT_URL_SECONDS          = tostring(var.result_url_seconds)
      MAX_OUTPUT_BYTES            = tostring(var.max_output_bytes)
      WEBHOOK_SECRET_PARAMETER    = aws_ssm_parameter.webhook_secret.name
      CALLBACK_ALLOWED_HOSTS      = join(",", var.callback_allowed_hosts)
      CALLBACK_MAX_ATTEMPTS       = tostring(var.callback_max_attempts)
      CALLBACK_TIMEOUT_MS         = tostring(var.callback_timeout_ms)
      FUNCTION_TIMEOUT_SECONDS    = tostring(var.lambda_timeout_seconds)
      CONTINUATION_CHAIN_MAX      = tostring(local.continuation_chain_max)
      AUTH                        = local.auth_environment.AUTH
      JWT_ISSUER                  = local.auth_environment.JWT_ISSUER
      JWT_AUDIENCE                = local.auth_environment.JWT_AUDIENCE
    }
  }

  lifecycle {
    precondition {
      condition     = try(fileexists(local.lambda_zip_path), false) && local.lambda_zip_hash != null
      error_message = "The deployment package ${local.lambda_zip_path} was not found (or is not a file). Build it first: run `npm ci && npm run build` at the repository root (it writes dist/lambda.zip), or point lambda_zip_path at a built package."
    }

    # Variables cannot refer to each other in Terraform < 1.9, so the cross-check lives here.
    precondition {
      condition     = local.request_deadline_seconds < var.request_ttl_seconds
      error_message = "request_ttl_seconds (${var.request_ttl_seconds}) must be longer than the request deadline (${local.request_deadline_seconds} s: request_deadline_seconds, or when null (async_retry_attempts + 1) * lambda_timeout_seconds + async_max_event_age_seconds), or results expire before a client can read them."
    }

    # The function refuses this at cold start too (src/config.ts, WEBHOOK_RUN_HEADROOM_MS).
    precondition {
      condition     = var.callback_timeout_ms + 2000 <= var.lambda_timeout_seconds * 1000
      error_message = "callback_timeout_ms (${var.callback_timeout_ms}) leaves no room for a webhook try in lambda_timeout_seconds (${var.lambda_timeout_seconds}): a try needs callback_timeout_ms + 2000 ms of an invocation."
    }

    # The function refuses AUTH=jwt without an issuer and an audience at cold start (src/config.ts).
    precondition {
      condition     = local.jwt_setting_problem == null
      error_message = coalesce(local.jwt_setting_problem, "-")
    }

    precondition {
      condition     = var.result_url_seconds <= var.request_ttl_seconds
      error_message = "result_url_seconds (${var.result_url_seconds}) must not exceed request_ttl_seconds (${var.request_ttl_seconds}): a result URL never outlives its request."
    }
  }

  # The log group must exist before the first invocation, or Lambda creates an unmanaged one
  # (which the role could not do anyway); the policy must be attached before the first self-invoke.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_retry_attempts
  maximum_event_age_in_seconds = var.async_max_event_age_seconds
}

# Said explicitly rather than left to the account's default. A chain of continuations is a chain
# of Lambda-to-Lambda invocations; the function keeps it under the limit (local.continuation_chain_max)
# and, with Terminate, lets the sweeper start a new chain, so the protection against a real loop
# stays on. See the README's trade-off before choosing Allow.
resource "aws_lambda_function_recursion_config" "this" {
  function_name  = aws_lambda_function.this.function_name
  recursive_loop = var.recursive_loop
}

# Not an error, since a deployment that runs no multi-step task never continues: with loop
# detection on and no sweeper, a request that continues more than 12 times in a row waits for its
# deadline.
check "long_continuations_resume" {
  assert {
    condition     = var.sweep_enabled || var.recursive_loop == "Allow"
    error_message = "sweep_enabled = false with recursive_loop = \"Terminate\": a task that continues more than 12 times in a row is handed to the sweeper, which is off, and ends as deadline_exceeded. Enable the sweeper, or set recursive_loop = \"Allow\" (see README)."
  }
}
