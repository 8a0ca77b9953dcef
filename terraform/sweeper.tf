# The sweeper: an EventBridge Scheduler schedule sends the function {"action":"sweep"} every
# minute (src/requests/sweeper.ts). Each run reads the due entries of the table's sweep index
# (dynamodb.tf) and re-dispatches a request whose background event was lost, ends one whose worker
# is gone, and retries the webhooks still owed. Without it a lost event waits for the request's
# deadline, and a webhook gets only the tries made by the invocation that ended its request.

# Its own group, so that the role below can be limited to schedules of this deployment: AWS's
# confused-deputy advice is aws:SourceArn on a schedule group, never on a single schedule.
resource "aws_scheduler_schedule_group" "this" {
  name = local.sweep_schedule_group_name
}

data "aws_iam_policy_document" "scheduler_assume_role" {
  statement {
    sid     = "SchedulerAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    # Only EventBridge Scheduler acting for this account, for a schedule in this deployment's
    # group, may use the role; not a schedule another account points at it.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.sweep_schedule_group_arn]
    }
  }
}

# The schedule's own role, apart from the function's: all it may do is invoke the function.
resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  description        = "Role EventBridge Scheduler uses to send the ${local.function_name} function its sweep event."
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume_role.json
}

data "aws_iam_policy_document" "scheduler" {
  # The unqualified ARN only, which is what the schedule targets; no version or alias.
  statement {
    sid       = "InvokeRouter"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.function_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "${var.name}-scheduler-invoke"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "sweep" {
  name        = "${var.name}-sweep"
  group_name  = aws_scheduler_schedule_group.this.name
  description = "Sends ${local.function_name} {\"action\":\"sweep\"}: re-dispatches lost requests, ends lost ones, retries owed webhooks."

  schedule_expression = var.sweep_schedule_expression

  # DISABLED keeps the schedule, its role and the index, and only stops the runs.
  state = var.sweep_enabled ? "ENABLED" : "DISABLED"

  # On time: a flexible window would spread runs over minutes, delaying recovery for nothing.
  flexible_time_window {
    mode = "OFF"
  }

  target {
    # A Lambda ARN is a templated target: Scheduler calls Invoke with the input as the event.
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ action = "sweep" })

    # Scheduler invokes Lambda asynchronously, so this policy covers only handing the event to
    # Lambda. Each run is complete on its own and the next is a minute away: a run Lambda would
    # not take is dropped, not retried (0 retries), and not kept longer than the 60 s minimum.
    # Once Lambda has the event, the function's own async settings (lambda.tf:
    # async_retry_attempts, async_max_event_age_seconds) apply to it as to any background event.
    # A sweep logs its failures instead of throwing, so Lambda retries one only after a crash or
    # a timeout; a retry that overlaps a later run is harmless, because the sweeper changes an
    # item only through writes conditional on what it read (src/requests/store.ts).
    retry_policy {
      maximum_retry_attempts       = 0
      maximum_event_age_in_seconds = 60
    }
  }

  # The role must be allowed to invoke before the first run.
  depends_on = [aws_iam_role_policy.scheduler]
}
