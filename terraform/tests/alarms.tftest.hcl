# The alarms on the function's own metrics (alarms.tf), planned against the mocked AWS provider.
# That the namespace and metric names are the ones src/metrics.ts writes is checked by
# test/terraform/drift.test.ts.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "alarms_watch_failed_requests_and_webhooks_given_up" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failed_requests.alarm_name == "async-router-failed-requests" &&
      aws_cloudwatch_metric_alarm.webhook_failures.alarm_name == "async-router-webhook-failures" &&
      output.alarm_names.failed_requests == "async-router-failed-requests" && output.alarm_names.webhook_failures == "async-router-webhook-failures"
    )
    error_message = "The alarms must be <name>-failed-requests and <name>-webhook-failures, and alarm_names must list them."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failed_requests.namespace == "AsyncRouter" && aws_cloudwatch_metric_alarm.failed_requests.metric_name == "Failed" &&
      aws_cloudwatch_metric_alarm.webhook_failures.namespace == "AsyncRouter" && aws_cloudwatch_metric_alarm.webhook_failures.metric_name == "WebhookFailures"
    )
    error_message = "The alarms must watch AsyncRouter/Failed and AsyncRouter/WebhookFailures."
  }

  assert {
    # FunctionName alone: the series of every failure, not one error code's.
    condition = alltrue([for alarm in [aws_cloudwatch_metric_alarm.failed_requests, aws_cloudwatch_metric_alarm.webhook_failures] :
      alarm.dimensions == tomap({ FunctionName = "async-router" })
    ])
    error_message = "Each alarm must watch its metric with the one dimension FunctionName = the function's name."
  }

  assert {
    condition = alltrue([for alarm in [aws_cloudwatch_metric_alarm.failed_requests, aws_cloudwatch_metric_alarm.webhook_failures] :
      alarm.statistic == "Sum" && alarm.period == 300 && alarm.evaluation_periods == 1 && alarm.datapoints_to_alarm == 1 &&
      alarm.comparison_operator == "GreaterThanOrEqualToThreshold" && alarm.threshold == 1 &&
      alarm.extended_statistic == null && length(coalesce(alarm.metric_query, [])) == 0
    ])
    error_message = "Each alarm must go off when the sum over 5 minutes reaches 1, in one period."
  }

  assert {
    condition = alltrue([for alarm in [aws_cloudwatch_metric_alarm.failed_requests, aws_cloudwatch_metric_alarm.webhook_failures] :
      alarm.treat_missing_data == "notBreaching"
    ])
    error_message = "No data must count as fine: the metrics are written only when something fails."
  }

  assert {
    condition = alltrue([for alarm in [aws_cloudwatch_metric_alarm.failed_requests, aws_cloudwatch_metric_alarm.webhook_failures] :
      try(length(alarm.alarm_actions), 0) == 0 && try(length(alarm.ok_actions), 0) == 0 && try(length(alarm.insufficient_data_actions), 0) == 0
    ])
    error_message = "Without alarm_actions, the alarms must tell no one."
  }
}

run "alarms_tell_the_given_topics_and_follow_their_thresholds" {
  command = plan

  variables {
    alarm_actions                    = ["arn:aws:sns:eu-west-1:123456789012:ops-alerts", "arn:aws:sns:eu-west-1:123456789012:pager"]
    failed_requests_alarm_threshold  = 5
    webhook_failures_alarm_threshold = 2
  }

  assert {
    condition = alltrue([for alarm in [aws_cloudwatch_metric_alarm.failed_requests, aws_cloudwatch_metric_alarm.webhook_failures] :
      jsonencode(sort(tolist(alarm.alarm_actions))) == jsonencode(["arn:aws:sns:eu-west-1:123456789012:ops-alerts", "arn:aws:sns:eu-west-1:123456789012:pager"]) &&
      jsonencode(sort(tolist(alarm.ok_actions))) == jsonencode(["arn:aws:sns:eu-west-1:123456789012:ops-alerts", "arn:aws:sns:eu-west-1:123456789012:pager"])
    ])
    error_message = "Both alarms must tell the topics when they go off and when they are back to OK."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.failed_requests.threshold == 5 && aws_cloudwatch_metric_alarm.webhook_failures.threshold == 2
    error_message = "Each alarm must use its own threshold variable."
  }
}

run "alarms_follow_the_function_name" {
  command = plan

  variables {
    name = "router-dev"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failed_requests.alarm_name == "router-dev-failed-requests" &&
      aws_cloudwatch_metric_alarm.webhook_failures.alarm_name == "router-dev-webhook-failures" &&
      aws_cloudwatch_metric_alarm.failed_requests.dimensions["FunctionName"] == "router-dev" &&
      aws_cloudwatch_metric_alarm.webhook_failures.dimensions["FunctionName"] == "router-dev"
    )
    error_message = "Alarm names and their FunctionName dimension must follow the name."
  }
}
