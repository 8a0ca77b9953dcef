# Bad settings must stop the plan with a clear message, before anything reaches AWS.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "rejects_deprecated_runtime" {
  command = plan
  variables { lambda_runtime = "nodejs20.x" }
  expect_failures = [var.lambda_runtime]
}

run "rejects_unknown_runtime" {
  command = plan
  variables { lambda_runtime = "python3.13" }
  expect_failures = [var.lambda_runtime]
}

run "rejects_too_little_memory" {
  command = plan
  variables { lambda_memory_mb = 64 }
  expect_failures = [var.lambda_memory_mb]
}

run "rejects_too_much_memory" {
  command = plan
  variables { lambda_memory_mb = 10241 }
  expect_failures = [var.lambda_memory_mb]
}

run "rejects_short_timeout" {
  command = plan
  variables { lambda_timeout_seconds = 10 }
  expect_failures = [var.lambda_timeout_seconds]
}

run "rejects_timeout_over_lambda_limit" {
  command = plan
  variables { lambda_timeout_seconds = 901 }
  expect_failures = [var.lambda_timeout_seconds]
}

run "rejects_origin_without_scheme_or_with_path" {
  command = plan
  variables { cors_allow_origins = ["example.com/path"] }
  expect_failures = [var.cors_allow_origins]
}

run "rejects_origin_with_trailing_slash" {
  command = plan
  variables { cors_allow_origins = ["https://app.example.com/"] }
  expect_failures = [var.cors_allow_origins]
}

run "rejects_origin_with_default_port" {
  command = plan
  variables { cors_allow_origins = ["https://app.example.com:443"] }
  expect_failures = [var.cors_allow_origins]
}

run "rejects_origin_with_upper_case_host" {
  command = plan
  variables { cors_allow_origins = ["https://App.example.com"] }
  expect_failures = [var.cors_allow_origins]
}

run "rejects_wildcard_mixed_with_origins" {
  command = plan
  variables { cors_allow_origins = ["*", "https://app.example.com"] }
  expect_failures = [var.cors_allow_origins]
}

run "rejects_empty_origin_list" {
  command = plan
  variables { cors_allow_origins = [] }
  expect_failures = [var.cors_allow_origins]
}

run "accepts_origins_with_ports" {
  command = plan
  variables { cors_allow_origins = ["https://app.example.com", "http://localhost:5173"] }
}

run "rejects_bad_name" {
  command = plan
  variables { name = "bad_name!" }
  expect_failures = [var.name]
}

run "rejects_invalid_log_retention" {
  command = plan
  variables { log_retention_days = 2 }
  expect_failures = [var.log_retention_days]
}

run "rejects_more_than_two_retries" {
  command = plan
  variables { async_retry_attempts = 3 }
  expect_failures = [var.async_retry_attempts]
}

run "rejects_event_age_out_of_range" {
  command = plan
  variables { async_max_event_age_seconds = 30 }
  expect_failures = [var.async_max_event_age_seconds]
}

run "rejects_ttl_under_an_hour" {
  command = plan
  variables { request_ttl_seconds = 60 }
  expect_failures = [var.request_ttl_seconds]
}

run "rejects_zero_reserved_concurrency" {
  command = plan
  variables { reserved_concurrency = 0 }
  expect_failures = [var.reserved_concurrency]
}

run "accepts_minus_one_reserved_concurrency" {
  command = plan
  variables { reserved_concurrency = -1 }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "-1 must mean unreserved."
  }
}

run "rejects_bad_quota_period" {
  command = plan
  variables { api_key_quota_period = "YEAR" }
  expect_failures = [var.api_key_quota_period]
}

run "rejects_demo_task_longer_than_lambda_limit" {
  command = plan
  variables { demo_task_ms = 900001 }
  expect_failures = [var.demo_task_ms]
}

# The deadline with default settings is 3 * 900 + 3600 = 6300 s, longer than a one-hour TTL:
# results would expire before a client could read them.
run "rejects_ttl_shorter_than_deadline" {
  command = plan
  variables { request_ttl_seconds = 3600 }
  expect_failures = [aws_lambda_function.this]
}

run "accepts_one_hour_ttl_with_short_deadline" {
  command = plan

  variables {
    request_ttl_seconds         = 3600
    lambda_timeout_seconds      = 300
    async_max_event_age_seconds = 900
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["REQUEST_DEADLINE_SECONDS"] == "1800"
    error_message = "The deadline must be 3 * 300 + 900 = 1800 s."
  }
}

# `terraform apply` before `npm run build`: the precondition says how to build the package, instead
# of filebase64sha256's "no file exists" error.
run "missing_package_stops_the_plan" {
  command = plan
  variables { lambda_zip_path = "./tests/no-such-package.zip" }
  expect_failures = [aws_lambda_function.this]
}

run "rejects_unknown_front" {
  command = plan
  variables { front = "graphql" }
  expect_failures = [var.front]
}

run "rejects_unknown_function_url_auth_type" {
  command = plan
  variables { function_url_auth_type = "COGNITO" }
  expect_failures = [var.function_url_auth_type]
}

run "rejects_kms_alias_instead_of_key" {
  command = plan
  variables { dynamodb_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/requests" }
  expect_failures = [var.dynamodb_kms_key_arn]
}

run "rejects_kms_key_id_without_arn" {
  command = plan
  variables { dynamodb_kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab" }
  expect_failures = [var.dynamodb_kms_key_arn]
}

run "rejects_kms_key_from_another_region" {
  command = plan
  variables { dynamodb_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  expect_failures = [aws_dynamodb_table.this]
}

run "rejects_extra_statement_without_actions" {
  command = plan
  variables {
    extra_policy_statements = [{ actions = [], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_without_resources" {
  command = plan
  variables {
    extra_policy_statements = [{ actions = ["bedrock:InvokeModel"], resources = [] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_with_star_action" {
  command = plan
  variables {
    extra_policy_statements = [{ actions = ["*"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_with_whole_service_action" {
  command = plan
  variables {
    extra_policy_statements = [{ actions = ["bedrock:*"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_with_star_resource" {
  command = plan
  variables {
    extra_policy_statements = [{ actions = ["bedrock:InvokeModel"], resources = ["*"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_with_bad_effect" {
  command = plan
  variables {
    extra_policy_statements = [{ effect = "allow", actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_with_bad_sid" {
  command = plan
  variables {
    extra_policy_statements = [{ sid = "invoke-model", actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_reusing_a_built_in_sid" {
  command = plan
  variables {
    extra_policy_statements = [{ sid = "InvokeSelf", actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statements_with_duplicate_sids" {
  command = plan
  variables {
    extra_policy_statements = [
      { sid = "Model", actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/x"] },
      { sid = "Model", actions = ["bedrock:InvokeModel"], resources = ["arn:aws:bedrock:eu-west-1::foundation-model/y"] },
    ]
  }
  expect_failures = [var.extra_policy_statements]
}

run "accepts_extra_statement_with_wildcard_inside_action" {
  command = plan
  variables {
    extra_policy_statements = [{ actions = ["s3:Get*"], resources = ["arn:aws:s3:::reports/*"] }]
  }
}

run "rejects_extra_statement_reusing_the_results_sid" {
  command = plan
  variables {
    extra_policy_statements = [{ sid = "ResultsObjects", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::reports/*"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_extra_statement_reusing_the_secrets_sid" {
  command = plan
  variables {
    extra_policy_statements = [{ sid = "ReadSecrets", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::reports/*"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_zero_result_url_seconds" {
  command = plan
  variables { result_url_seconds = 0 }
  expect_failures = [var.result_url_seconds]
}

# S3 refuses presigned URLs valid for more than 7 days.
run "rejects_result_url_seconds_over_seven_days" {
  command = plan
  variables { result_url_seconds = 604801 }
  expect_failures = [var.result_url_seconds]
}

run "rejects_fractional_result_url_seconds" {
  command = plan
  variables { result_url_seconds = 1.5 }
  expect_failures = [var.result_url_seconds]
}

# A URL that outlives its request would point at a result the API no longer shows.
run "rejects_result_url_seconds_longer_than_ttl" {
  command = plan

  variables {
    request_ttl_seconds         = 3600
    lambda_timeout_seconds      = 300
    async_max_event_age_seconds = 900
    result_url_seconds          = 3601
  }

  expect_failures = [aws_lambda_function.this]
}

run "accepts_seven_day_result_urls_with_a_long_ttl" {
  command = plan

  variables {
    request_ttl_seconds = 604800
    result_url_seconds  = 604800
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["RESULT_URL_SECONDS"] == "604800"
    error_message = "The longest URL S3 allows must be accepted when the TTL is as long."
  }
}

run "rejects_max_output_bytes_under_1024" {
  command = plan
  variables { max_output_bytes = 1023 }
  expect_failures = [var.max_output_bytes]
}

# The function refuses to start above 5 TiB (src/config.ts), S3's largest object.
run "rejects_max_output_bytes_over_5_tib" {
  command = plan
  variables { max_output_bytes = 5497558138881 }
  expect_failures = [var.max_output_bytes]
}

# Valid as a name, but S3 reserves bucket names starting with xn-- (and sthree-).
run "rejects_name_that_makes_a_reserved_bucket_name" {
  command = plan
  variables { name = "xn--router" }
  expect_failures = [aws_s3_bucket.this]
}

run "rejects_bad_region" {
  command = plan
  variables { region = "Ireland" }
  expect_failures = [var.region]
}

run "rejects_extra_statement_reusing_the_sweep_index_sid" {
  command = plan
  variables {
    extra_policy_statements = [{ sid = "QuerySweepIndex", actions = ["dynamodb:Query"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/other"] }]
  }
  expect_failures = [var.extra_policy_statements]
}

run "rejects_callback_host_with_a_scheme" {
  command = plan
  variables { callback_allowed_hosts = ["https://hooks.example.com"] }
  expect_failures = [var.callback_allowed_hosts]
}

run "rejects_callback_host_with_a_port" {
  command = plan
  variables { callback_allowed_hosts = ["hooks.example.com:8443"] }
  expect_failures = [var.callback_allowed_hosts]
}

# The function compares lower-cased host names, so an upper-case entry would never match.
run "rejects_callback_host_in_upper_case" {
  command = plan
  variables { callback_allowed_hosts = ["Hooks.example.com"] }
  expect_failures = [var.callback_allowed_hosts]
}

run "rejects_callback_host_with_a_wildcard_inside" {
  command = plan
  variables { callback_allowed_hosts = ["hooks.*.example.com"] }
  expect_failures = [var.callback_allowed_hosts]
}

run "rejects_a_bare_wildcard_callback_host" {
  command = plan
  variables { callback_allowed_hosts = ["*"] }
  expect_failures = [var.callback_allowed_hosts]
}

run "rejects_zero_callback_attempts" {
  command = plan
  variables { callback_max_attempts = 0 }
  expect_failures = [var.callback_max_attempts]
}

run "rejects_more_than_thirty_callback_attempts" {
  command = plan
  variables { callback_max_attempts = 31 }
  expect_failures = [var.callback_max_attempts]
}

run "rejects_fractional_callback_attempts" {
  command = plan
  variables { callback_max_attempts = 2.5 }
  expect_failures = [var.callback_max_attempts]
}

run "accepts_one_callback_attempt" {
  command = plan
  variables { callback_max_attempts = 1 }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["CALLBACK_MAX_ATTEMPTS"] == "1"
    error_message = "A single try (no retries) must be accepted."
  }
}

# The sweeper must recur: a one-time at() schedule would run once and never again.
run "rejects_one_time_sweep_schedule" {
  command = plan
  variables { sweep_schedule_expression = "at(2030-01-01T00:00:00)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "rejects_sweep_rate_in_seconds" {
  command = plan
  variables { sweep_schedule_expression = "rate(30 seconds)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "rejects_zero_sweep_rate" {
  command = plan
  variables { sweep_schedule_expression = "rate(0 minutes)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "rejects_sweep_schedule_without_parentheses" {
  command = plan
  variables { sweep_schedule_expression = "every 1 minute" }
  expect_failures = [var.sweep_schedule_expression]
}

# EventBridge cron has six fields (with a year); a five-field Unix cron line is refused at apply.
run "rejects_five_field_cron" {
  command = plan
  variables { sweep_schedule_expression = "cron(* * * * *)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "accepts_sweep_rate_in_minutes" {
  command = plan
  variables { sweep_schedule_expression = "rate(5 minutes)" }

  assert {
    condition     = aws_scheduler_schedule.sweep.schedule_expression == "rate(5 minutes)"
    error_message = "rate(5 minutes) must be accepted as it is."
  }
}

run "rejects_alarm_action_that_is_not_a_topic" {
  command = plan
  variables { alarm_actions = ["arn:aws:lambda:eu-west-1:123456789012:function:pager"] }
  expect_failures = [var.alarm_actions]
}

run "rejects_alarm_action_that_is_a_topic_name" {
  command = plan
  variables { alarm_actions = ["ops-alerts"] }
  expect_failures = [var.alarm_actions]
}

run "rejects_zero_failed_requests_threshold" {
  command = plan
  variables { failed_requests_alarm_threshold = 0 }
  expect_failures = [var.failed_requests_alarm_threshold]
}

run "rejects_fractional_webhook_failures_threshold" {
  command = plan
  variables { webhook_failures_alarm_threshold = 0.5 }
  expect_failures = [var.webhook_failures_alarm_threshold]
}
