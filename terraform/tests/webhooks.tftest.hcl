# Webhooks: the function is told its own timeout and each try's, and a timeout with no room for
# one try is refused at plan, as the function refuses it at cold start. Planned against the mocked
# AWS provider.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "tells_the_function_its_timeout_and_the_try_timeout" {
  command = plan
  variables {
    lambda_timeout_seconds = 60
    callback_timeout_ms    = 8000
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.FUNCTION_TIMEOUT_SECONDS == "60"
    error_message = "FUNCTION_TIMEOUT_SECONDS must be the function's own timeout."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CALLBACK_TIMEOUT_MS == "8000"
    error_message = "CALLBACK_TIMEOUT_MS must come from callback_timeout_ms."
  }
}

run "refuses_a_try_timeout_that_no_invocation_fits" {
  command = plan
  variables {
    lambda_timeout_seconds = 30
    callback_timeout_ms    = 29000
  }
  expect_failures = [aws_lambda_function.this]
}

run "rejects_a_try_timeout_out_of_range" {
  command = plan
  variables { callback_timeout_ms = 50 }
  expect_failures = [var.callback_timeout_ms]
}

run "serves_the_webhook_secret_route_behind_the_key" {
  command = plan
  variables { api_key_required = true }

  assert {
    condition     = aws_api_gateway_resource.webhook_secret[0].parent_id == aws_api_gateway_resource.v1[0].id && aws_api_gateway_resource.webhook_secret[0].path_part == "webhook-secret"
    error_message = "GET /v1/webhook-secret must be a resource under /v1."
  }

  assert {
    condition = (
      aws_api_gateway_method.route["GET /v1/webhook-secret"].api_key_required &&
      aws_api_gateway_method.route["ANY /v1/webhook-secret"].api_key_required &&
      !aws_api_gateway_method.route["OPTIONS /v1/webhook-secret"].api_key_required
    )
    error_message = "A tenant's signing secret must answer only to its API key (the preflight excepted)."
  }
}
