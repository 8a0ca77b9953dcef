# What `terraform apply` with no variables (and a few careless ones) creates: nothing anyone can
# use without a key, nothing without a concurrency cap that anyone can call, and alarms on the
# function itself. Planned against the mocked AWS provider.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "a_bare_plan_requires_an_api_key" {
  command = plan

  assert {
    condition     = alltrue([for method in aws_api_gateway_method.route : method.api_key_required if method.http_method != "OPTIONS"])
    error_message = "With no variables, every method but the preflights must require an API key."
  }

  assert {
    condition     = length(aws_api_gateway_api_key.this) == 1 && length(aws_api_gateway_usage_plan.this) == 1 && length(aws_api_gateway_usage_plan_key.this) == 1
    error_message = "With no variables, one API key must be made and tied to a usage plan."
  }

  assert {
    condition     = issensitive(output.api_key) && output.api_key != null
    error_message = "The api_key output must hold the key, marked sensitive."
  }
}

run "keys_can_be_turned_off_and_then_callbacks_are_warned_about" {
  command = plan

  variables {
    api_key_required = false
  }

  assert {
    condition     = length(aws_api_gateway_api_key.this) == 0 && alltrue([for method in aws_api_gateway_method.route : !method.api_key_required])
    error_message = "api_key_required = false must make an API without keys."
  }

  # Anyone may call it, and callbacks may go to any public host: the check warns.
  expect_failures = [check.callback_hosts_on_a_public_api]
}

run "a_public_api_with_an_allow_list_is_not_warned_about" {
  command = plan

  variables {
    api_key_required       = false
    callback_allowed_hosts = ["hooks.example.com"]
  }

  assert {
    condition     = length(aws_api_gateway_api_key.this) == 0
    error_message = "api_key_required = false must make an API without keys."
  }
}

run "a_function_url_needs_no_key_variable" {
  command = plan

  variables {
    front = "function_url"
  }

  assert {
    condition     = length(aws_lambda_function_url.this) == 1 && aws_lambda_function_url.this[0].authorization_type == "AWS_IAM"
    error_message = "front = function_url alone must plan an IAM-authorized function URL (the key default is the REST API's)."
  }
}

run "a_public_function_url_needs_reserved_concurrency" {
  command = plan

  variables {
    front                  = "function_url"
    function_url_auth_type = "NONE"
    callback_allowed_hosts = ["hooks.example.com"]
  }

  expect_failures = [aws_lambda_function_url.this]
}

run "a_public_function_url_with_reserved_concurrency_plans" {
  command = plan

  variables {
    front                  = "function_url"
    function_url_auth_type = "NONE"
    reserved_concurrency   = 10
    callback_allowed_hosts = ["hooks.example.com"]
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 10 && length(aws_lambda_permission.function_url_public) == 1
    error_message = "A public function URL with reserved_concurrency must plan, capped at it."
  }
}

run "the_schedule_group_is_never_the_default_one" {
  command = plan

  variables {
    name = "default"
  }

  assert {
    condition     = aws_scheduler_schedule_group.this.name != "default" && aws_scheduler_schedule.sweep.group_name == aws_scheduler_schedule_group.this.name
    error_message = "The sweeper's group must never be EventBridge Scheduler's own default group, whatever the name."
  }
}

run "rate_refuses_a_plural_unit_for_one" {
  command = plan
  variables { sweep_schedule_expression = "rate(1 minutes)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "rate_refuses_a_singular_unit_for_more_than_one" {
  command = plan
  variables { sweep_schedule_expression = "rate(5 minute)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "rate_refuses_a_singular_unit_for_ten" {
  command = plan
  variables { sweep_schedule_expression = "rate(10 hour)" }
  expect_failures = [var.sweep_schedule_expression]
}

run "rate_accepts_one_hour_and_ten_days" {
  command = plan
  variables { sweep_schedule_expression = "rate(1 hour)" }

  assert {
    condition     = aws_scheduler_schedule.sweep.schedule_expression == "rate(1 hour)"
    error_message = "rate(1 hour) must be accepted."
  }
}

run "rate_accepts_plural_for_more_than_one" {
  command = plan
  variables { sweep_schedule_expression = "rate(12 days)" }

  assert {
    condition     = aws_scheduler_schedule.sweep.schedule_expression == "rate(12 days)"
    error_message = "rate(12 days) must be accepted."
  }
}

run "the_function_itself_is_watched" {
  command = plan

  assert {
    condition = alltrue([for key, metric in { errors = "Errors", throttles = "Throttles", async_events_dropped = "AsyncEventsDropped" } :
      aws_cloudwatch_metric_alarm.function[key].namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.function[key].metric_name == metric &&
      aws_cloudwatch_metric_alarm.function[key].dimensions == tomap({ FunctionName = "async-router" }) &&
      aws_cloudwatch_metric_alarm.function[key].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.function[key].comparison_operator == "GreaterThanOrEqualToThreshold" &&
      aws_cloudwatch_metric_alarm.function[key].threshold == 1 &&
      aws_cloudwatch_metric_alarm.function[key].treat_missing_data == "notBreaching"
    ])
    error_message = "The function's Errors, Throttles and AsyncEventsDropped (AWS/Lambda, FunctionName) must each have an alarm at one in a period."
  }

  assert {
    condition = output.alarm_names == {
      failed_requests      = "async-router-failed-requests"
      webhook_failures     = "async-router-webhook-failures"
      errors               = "async-router-errors"
      throttles            = "async-router-throttles"
      async_events_dropped = "async-router-async-events-dropped"
    }
    error_message = "alarm_names must list the five alarms."
  }
}
