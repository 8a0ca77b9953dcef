# front = "function_url": a Lambda function URL instead of the REST API, planned against the
# mocked AWS provider (the mock's function URL ends with a slash, as AWS's does).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  front = "function_url"
}

run "function_url_replaces_the_rest_api" {
  command = plan

  assert {
    condition = (
      length(aws_api_gateway_rest_api.this) == 0 &&
      length(aws_api_gateway_resource.v1) == 0 && length(aws_api_gateway_resource.invoke) == 0 &&
      length(aws_api_gateway_resource.status) == 0 && length(aws_api_gateway_resource.request) == 0 &&
      length(aws_api_gateway_resource.proxy) == 0 &&
      length(aws_api_gateway_method.route) == 0 && length(aws_api_gateway_integration.route) == 0 &&
      length(aws_api_gateway_gateway_response.cors) == 0 &&
      length(aws_api_gateway_deployment.this) == 0 && length(aws_api_gateway_stage.this) == 0 &&
      length(aws_api_gateway_method_settings.this) == 0 &&
      length(aws_api_gateway_usage_plan.this) == 0 && length(aws_api_gateway_api_key.this) == 0 &&
      length(aws_api_gateway_usage_plan_key.this) == 0 && length(aws_cloudwatch_log_group.access) == 0
    )
    error_message = "With front = function_url, no REST API resource may be created."
  }

  assert {
    condition     = length(aws_lambda_permission.api) == 0
    error_message = "With front = function_url, API Gateway must not be allowed to invoke the function."
  }

  assert {
    condition = (
      length(aws_lambda_function_url.this) == 1 &&
      aws_lambda_function_url.this[0].function_name == aws_lambda_function.this.function_name &&
      aws_lambda_function_url.this[0].qualifier == null &&
      aws_lambda_function_url.this[0].authorization_type == "AWS_IAM"
    )
    error_message = "One function URL on the unqualified function, with AWS_IAM authorization by default."
  }

  assert {
    condition     = length(aws_lambda_permission.function_url_public) == 0 && length(aws_cloudcontrolapi_resource.function_url_public_invoke) == 0
    error_message = "With AWS_IAM, nothing may be granted to the public."
  }

  assert {
    condition     = output.front == "function_url"
    error_message = "The front output must say function_url."
  }

  assert {
    condition     = output.api_base_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws"
    error_message = "api_base_url must be the function URL without its trailing slash."
  }

  assert {
    condition     = output.invoke_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/v1/invoke"
    error_message = "invoke_url must be the function URL followed by /v1/invoke."
  }

  assert {
    condition     = output.status_url_template == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/v1/status/{request_id}"
    error_message = "status_url_template must be the function URL followed by /v1/status/{request_id}."
  }

  assert {
    condition     = output.api_key == null
    error_message = "A function URL has no API key."
  }

  assert {
    # The function, its role, its table and its background invocations do not depend on the front.
    condition = (
      aws_dynamodb_table.this.name == "async-router-requests" &&
      aws_lambda_function_event_invoke_config.this.function_name == aws_lambda_function.this.function_name &&
      jsonencode([for s in data.aws_iam_policy_document.this.statement : s.sid]) == jsonencode(["WriteOwnLogs", "ReadWriteRequests", "QuerySweepIndex", "QueryOwnerIndex", "InvokeSelf", "ResultsObjects", "ReadSecrets"]) &&
      aws_s3_bucket.this.bucket == "async-router-results-123456789012-eu-west-1" &&
      one(aws_lambda_function.this.environment).variables["RESULTS_BUCKET"] == aws_s3_bucket.this.bucket
    )
    error_message = "The function, its table, its role and its results bucket must be the same for both fronts."
  }

  assert {
    # The sweeper and the alarms deal with the function, whatever front clients call.
    condition = (
      aws_scheduler_schedule.sweep.state == "ENABLED" &&
      one(aws_scheduler_schedule.sweep.target).arn == aws_lambda_function.this.arn &&
      contains([for index in aws_dynamodb_table.this.global_secondary_index : index.name], "sweep") &&
      aws_cloudwatch_metric_alarm.failed_requests.dimensions["FunctionName"] == aws_lambda_function.this.function_name &&
      aws_cloudwatch_metric_alarm.webhook_failures.dimensions["FunctionName"] == aws_lambda_function.this.function_name
    )
    error_message = "The sweeper's schedule and index and both alarms must be there with the function URL front too."
  }
}

run "function_url_cors_matches_the_function" {
  command = plan

  assert {
    condition = (
      jsonencode(sort(tolist(one(aws_lambda_function_url.this[0].cors).allow_origins))) == jsonencode(["*"]) &&
      jsonencode(sort(tolist(one(aws_lambda_function_url.this[0].cors).allow_methods))) == jsonencode(["DELETE", "GET", "POST"]) &&
      jsonencode(sort(tolist(one(aws_lambda_function_url.this[0].cors).allow_headers))) == jsonencode(["authorization", "content-type", "idempotency-key", "x-api-key"]) &&
      jsonencode(sort(tolist(one(aws_lambda_function_url.this[0].cors).expose_headers))) == jsonencode(["location", "retry-after"]) &&
      one(aws_lambda_function_url.this[0].cors).max_age == 600 &&
      !one(aws_lambda_function_url.this[0].cors).allow_credentials
    )
    error_message = "The function URL's CORS must allow any origin by default, GET/POST/DELETE, the four request headers, expose Location and Retry-After, and no credentials."
  }
}

run "function_url_cors_follows_the_origins" {
  command = plan

  variables {
    cors_allow_origins = ["https://app.example.com", "http://localhost:5173"]
  }

  assert {
    condition     = jsonencode(sort(tolist(one(aws_lambda_function_url.this[0].cors).allow_origins))) == jsonencode(["http://localhost:5173", "https://app.example.com"])
    error_message = "The function URL's CORS origins must be cors_allow_origins."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["CORS_ALLOW_ORIGINS"] == "https://app.example.com,http://localhost:5173"
    error_message = "The function must get the same origins as the function URL."
  }

  assert {
    condition     = jsonencode(sort(tolist(one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_origins))) == jsonencode(["http://localhost:5173", "https://app.example.com"])
    error_message = "The results bucket must allow the same origins as the function URL."
  }
}

run "function_url_none_is_public_through_the_url_only" {
  command = plan

  variables {
    function_url_auth_type = "NONE"
    # A public URL needs a cap (safe_defaults.tftest.hcl), and its callbacks an allow-list.
    reserved_concurrency   = 10
    callback_allowed_hosts = ["hooks.example.com"]
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "NONE"
    error_message = "function_url_auth_type = NONE must make the URL's authorization NONE."
  }

  assert {
    condition = (
      length(aws_lambda_permission.function_url_public) == 1 &&
      aws_lambda_permission.function_url_public[0].statement_id == "FunctionURLAllowPublicAccess" &&
      aws_lambda_permission.function_url_public[0].action == "lambda:InvokeFunctionUrl" &&
      aws_lambda_permission.function_url_public[0].principal == "*" &&
      aws_lambda_permission.function_url_public[0].function_url_auth_type == "NONE" &&
      aws_lambda_permission.function_url_public[0].function_name == aws_lambda_function.this.function_name &&
      aws_lambda_permission.function_url_public[0].qualifier == null
    )
    error_message = "NONE needs lambda:InvokeFunctionUrl for \"*\", conditioned on the NONE auth type."
  }

  assert {
    condition = (
      length(aws_cloudcontrolapi_resource.function_url_public_invoke) == 1 &&
      aws_cloudcontrolapi_resource.function_url_public_invoke[0].type_name == "AWS::Lambda::Permission" &&
      jsondecode(aws_cloudcontrolapi_resource.function_url_public_invoke[0].desired_state) == {
        FunctionName          = "async-router"
        Action                = "lambda:InvokeFunction"
        Principal             = "*"
        InvokedViaFunctionUrl = true
      }
    )
    error_message = "NONE also needs lambda:InvokeFunction for \"*\", limited to calls through the function URL (InvokedViaFunctionUrl)."
  }

  assert {
    condition     = length(aws_lambda_permission.api) == 0 && length(aws_api_gateway_rest_api.this) == 0
    error_message = "A public function URL must still create no REST API."
  }
}

run "function_url_can_go_back_to_iam" {
  command = plan

  variables {
    function_url_auth_type = "AWS_IAM"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "AWS_IAM" && length(aws_lambda_permission.function_url_public) == 0 && length(aws_cloudcontrolapi_resource.function_url_public_invoke) == 0
    error_message = "AWS_IAM must grant nothing to the public."
  }
}

run "function_url_refuses_api_keys" {
  command = plan

  variables {
    api_key_required = true
  }

  expect_failures = [aws_lambda_function_url.this]
}

run "function_url_refuses_access_logging" {
  command = plan

  variables {
    access_logging_enabled = true
  }

  expect_failures = [aws_lambda_function_url.this]
}

run "function_url_allows_the_account_logging_role" {
  # The account-level role is independent of this deployment's front.
  command = plan

  variables {
    create_api_gateway_account_role = true
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 1 && length(aws_api_gateway_stage.this) == 0
    error_message = "create_api_gateway_account_role must work without the REST API."
  }
}
