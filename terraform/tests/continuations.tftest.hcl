# Continuations (src/requests/lambda-chain.ts): Lambda's recursive loop detection set explicitly,
# the function told how many direct continuations it may make in a row, and a request deadline
# that can be raised for work that goes on over many invocations. Planned against the mocked
# AWS provider.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "loop_detection_stays_on_and_chains_stay_under_it" {
  command = plan

  assert {
    condition     = aws_lambda_function_recursion_config.this.recursive_loop == "Terminate"
    error_message = "By default loop detection must stay on (Terminate)."
  }

  assert {
    condition     = aws_lambda_function_recursion_config.this.function_name == aws_lambda_function.this.function_name
    error_message = "The recursion config must be the function's own."
  }

  assert {
    # Lambda stops a chain after 16 invocations; the submit and the first worker are two of them.
    condition     = tonumber(aws_lambda_function.this.environment[0].variables.CONTINUATION_CHAIN_MAX) <= 14
    error_message = "With loop detection on, CONTINUATION_CHAIN_MAX must keep a chain below Lambda's 16 invocations."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.REQUEST_DEADLINE_SECONDS == "6300"
    error_message = "Without request_deadline_seconds the deadline must be computed from the async settings: (2 + 1) * 900 + 3600 = 6300 with the defaults."
  }
}

run "allow_lets_the_function_chain_directly" {
  command = plan
  variables { recursive_loop = "Allow" }

  assert {
    condition     = aws_lambda_function_recursion_config.this.recursive_loop == "Allow"
    error_message = "recursive_loop = Allow must reach the recursion config."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CONTINUATION_CHAIN_MAX == "1000"
    error_message = "With loop detection off, the function must continue directly (CONTINUATION_CHAIN_MAX 1000)."
  }
}

run "a_raised_deadline_reaches_the_function" {
  command = plan
  variables {
    request_deadline_seconds = 604800
    request_ttl_seconds      = 1209600
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.REQUEST_DEADLINE_SECONDS == "604800"
    error_message = "request_deadline_seconds must set REQUEST_DEADLINE_SECONDS."
  }
}

run "a_deadline_past_the_ttl_is_refused" {
  command = plan
  variables { request_deadline_seconds = 172800 }
  expect_failures = [aws_lambda_function.this]
}

run "rejects_an_unknown_recursive_loop_value" {
  command = plan
  variables { recursive_loop = "Off" }
  expect_failures = [var.recursive_loop]
}

run "rejects_a_fractional_deadline" {
  command = plan
  variables { request_deadline_seconds = 90.5 }
  expect_failures = [var.request_deadline_seconds]
}

run "warns_when_long_chains_could_not_resume" {
  command = plan
  variables { sweep_enabled = false }
  expect_failures = [check.long_continuations_resume]
}
