# Alarms on the metrics the function writes as Embedded Metric Format lines in its log
# (src/metrics.ts): CloudWatch Logs turns them into metrics in the AsyncRouter namespace, with no
# API call and no permission beyond writing the log. A metric exists only once it has been written,
# so before the first failure these alarms have no data, which counts as fine (notBreaching).
#
# Each alarm names one metric with the FunctionName dimension alone, the series that counts every
# occurrence. Failed is also written per ErrorCode (FunctionName + ErrorCode): CloudWatch treats
# each dimension set as a metric of its own and never adds them up, so an alarm on one code's
# series would miss the others.

locals {
  alarm_dimensions = {
    FunctionName = aws_lambda_function.this.function_name
  }
}

resource "aws_cloudwatch_metric_alarm" "failed_requests" {
  alarm_name        = "${var.name}-failed-requests"
  alarm_description = "Requests of ${local.function_name} that ended as error in 5 minutes, whatever the error_code; a cancellation by the caller is not a failure (metric Cancelled). Per-code counts: metric Failed with dimensions FunctionName and ErrorCode. Logs: /aws/lambda/${local.function_name}."

  namespace   = local.metrics_namespace
  metric_name = "Failed"
  dimensions  = local.alarm_dimensions

  # The number of failures in each 5 minutes, alarming as soon as one period reaches the threshold.
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.failed_requests_alarm_threshold

  # No data means nothing failed: the function writes the metric only when a request fails.
  treat_missing_data = "notBreaching"

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "webhook_failures" {
  alarm_name        = "${var.name}-webhook-failures"
  alarm_description = "Completion webhooks of ${local.function_name} given up after CALLBACK_MAX_ATTEMPTS tries in 5 minutes: a receiver is down, refuses the signature or answers too slowly."

  namespace   = local.metrics_namespace
  metric_name = "WebhookFailures"
  dimensions  = local.alarm_dimensions

  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.webhook_failures_alarm_threshold

  treat_missing_data = "notBreaching"

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions
}

# Alarms on what Lambda itself counts for the function (namespace AWS/Lambda): invocations that
# failed (a crash, a timeout, an init failure such as a missing secret parameter), invocations
# refused for lack of concurrency, and background events dropped before the function ever ran
# them (too old or out of retries; the sweeper re-dispatches their requests). Each is zero in a
# healthy deployment, so one in 5 minutes sets its alarm off.
locals {
  function_alarms = {
    errors = {
      metric      = "Errors"
      description = "Invocations of ${local.function_name} that failed (crash, timeout, init failure) in 5 minutes. Logs: /aws/lambda/${local.function_name}."
    }
    throttles = {
      metric      = "Throttles"
      description = "Invocations of ${local.function_name} throttled in 5 minutes: the function (reserved_concurrency) or the account is out of concurrency."
    }
    async_events_dropped = {
      metric      = "AsyncEventsDropped"
      description = "Background events of ${local.function_name} dropped in 5 minutes without being run (too old, or retries exhausted); the sweeper re-dispatches their requests."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.function_alarms

  alarm_name        = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description = each.value.description

  namespace   = "AWS/Lambda"
  metric_name = each.value.metric
  dimensions  = local.alarm_dimensions

  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1

  # Lambda writes these metrics only while something happens.
  treat_missing_data = "notBreaching"

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions
}
