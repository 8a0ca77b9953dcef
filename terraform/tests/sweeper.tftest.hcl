# The sweeper (sweeper.tf), the index it reads (dynamodb.tf), the role's Query on it (iam.tf) and
# the webhook settings on the function, planned against the mocked AWS provider (account
# 123456789012, region eu-west-1). The webhook secret's value exists only once applied: see
# secret.tftest.hcl. That the schedule's input is the event src/ reads as a sweep, and that the
# index's name is SWEEP_INDEX, is checked by test/terraform/drift.test.ts.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# The mock gives every role the same ARN; a distinct one shows which role the schedule uses.
override_resource {
  target          = aws_iam_role.scheduler
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:role/async-router-scheduler"
  }
}

run "sweep_index_is_sparse_and_keys_only" {
  command = plan

  assert {
    condition = (
      contains([for index in aws_dynamodb_table.this.global_secondary_index : index.name], "sweep") &&
      one([for index in aws_dynamodb_table.this.global_secondary_index : index if index.name == "sweep"]).hash_key == "sweep_shard" &&
      one([for index in aws_dynamodb_table.this.global_secondary_index : index if index.name == "sweep"]).range_key == "sweep_at"
    )
    error_message = "The index must be named sweep, with hash key sweep_shard and range key sweep_at."
  }

  assert {
    condition = (
      one([for index in aws_dynamodb_table.this.global_secondary_index : index if index.name == "sweep"]).projection_type == "KEYS_ONLY" &&
      try(length(one([for index in aws_dynamodb_table.this.global_secondary_index : index if index.name == "sweep"]).non_key_attributes), 0) == 0
    )
    error_message = "The index must project the keys only: the sweeper reads each item itself before acting."
  }

  assert {
    # A string hash key and a number range key: sweep_at is compared with now (sweep_at <= :now).
    condition = (
      one([for a in aws_dynamodb_table.this.attribute : a.type if a.name == "sweep_shard"]) == "S" &&
      one([for a in aws_dynamodb_table.this.attribute : a.type if a.name == "sweep_at"]) == "N"
    )
    error_message = "sweep_shard must be defined as a string (S) and sweep_at as a number (N)."
  }

  assert {
    # On-demand like its table: no capacity, no on-demand ceiling that could throttle the writes.
    condition = (
      aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" &&
      length(one([for index in aws_dynamodb_table.this.global_secondary_index : index if index.name == "sweep"]).on_demand_throughput) == 0
    )
    error_message = "The index must be on-demand, with no throughput limit of its own."
  }
}

run "role_may_query_the_sweep_index_and_nothing_else" {
  command = plan

  assert {
    condition = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : {
      effect    = s.effect
      actions   = s.actions
      resources = s.resources
      } if s.sid == "QuerySweepIndex"])) == jsonencode({
      effect    = "Allow"
      actions   = ["dynamodb:Query"]
      resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/async-router-requests/index/sweep"]
    })
    error_message = "QuerySweepIndex must allow dynamodb:Query on the sweep index's ARN only."
  }

  assert {
    # The owner index's QueryOwnerIndex (owner_index.tftest.hcl) is the only other statement with Query.
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      !contains(s.actions, "dynamodb:Query") && !contains(s.actions, "dynamodb:Scan") if !contains(["QuerySweepIndex", "QueryOwnerIndex"], s.sid)
    ])
    error_message = "No statement but the two index ones may allow Query, and none may allow Scan: the table itself is never queried or scanned."
  }
}

run "sweep_schedule_sends_the_sweep_event_every_minute" {
  command = plan

  assert {
    condition = (
      aws_scheduler_schedule.sweep.name == "async-router-sweep" &&
      aws_scheduler_schedule.sweep.group_name == "async-router-sweeper" &&
      aws_scheduler_schedule_group.this.name == "async-router-sweeper" &&
      output.sweep_schedule == "async-router-sweeper/async-router-sweep"
    )
    error_message = "The schedule must be <name>-sweep in the schedule group <name>-sweeper, and the sweep_schedule output say so."
  }

  assert {
    condition     = aws_scheduler_schedule.sweep.schedule_expression == "rate(1 minute)" && aws_scheduler_schedule.sweep.state == "ENABLED"
    error_message = "By default the sweeper must run every minute."
  }

  assert {
    condition     = one(aws_scheduler_schedule.sweep.flexible_time_window).mode == "OFF" && one(aws_scheduler_schedule.sweep.flexible_time_window).maximum_window_in_minutes == null
    error_message = "The schedule must run on time (no flexible time window)."
  }

  assert {
    condition = (
      one(aws_scheduler_schedule.sweep.target).arn == aws_lambda_function.this.arn &&
      one(aws_scheduler_schedule.sweep.target).input == "{\"action\":\"sweep\"}"
    )
    error_message = "The schedule must send the function (its unqualified ARN) exactly {\"action\":\"sweep\"}."
  }

  assert {
    condition     = one(aws_scheduler_schedule.sweep.target).role_arn == "arn:aws:iam::123456789012:role/async-router-scheduler"
    error_message = "The schedule must use its own role, not the function's."
  }

  assert {
    # The next sweep is a minute away: nothing to gain from retrying or keeping a missed one.
    condition = (
      one(one(aws_scheduler_schedule.sweep.target).retry_policy).maximum_retry_attempts == 0 &&
      one(one(aws_scheduler_schedule.sweep.target).retry_policy).maximum_event_age_in_seconds == 60 &&
      length(one(aws_scheduler_schedule.sweep.target).dead_letter_config) == 0
    )
    error_message = "A sweep Scheduler cannot hand to Lambda must not be retried (0 retries, 60 s maximum age, no dead-letter queue)."
  }
}

run "scheduler_role_is_for_this_accounts_scheduler_only" {
  command = plan

  assert {
    condition = (
      aws_iam_role.scheduler.name == "async-router-scheduler" &&
      aws_iam_role.scheduler.name != aws_iam_role.this.name &&
      aws_iam_role.scheduler.assume_role_policy == data.aws_iam_policy_document.scheduler_assume_role.json
    )
    error_message = "The schedule must have a role of its own, <name>-scheduler, with the scheduler trust policy."
  }

  assert {
    condition = (
      jsonencode(one(data.aws_iam_policy_document.scheduler_assume_role.statement).actions) == jsonencode(["sts:AssumeRole"]) &&
      one(data.aws_iam_policy_document.scheduler_assume_role.statement).effect == "Allow" &&
      jsonencode(one(data.aws_iam_policy_document.scheduler_assume_role.statement).principals) == jsonencode([{
        type        = "Service"
        identifiers = ["scheduler.amazonaws.com"]
      }])
    )
    error_message = "Only the EventBridge Scheduler service may assume the role."
  }

  assert {
    # condition blocks are a set: compare them by variable.
    condition = jsonencode({ for c in one(data.aws_iam_policy_document.scheduler_assume_role.statement).condition : c.variable => [c.test, c.values] }) == jsonencode({
      "aws:SourceAccount" = ["StringEquals", ["123456789012"]]
      "aws:SourceArn"     = ["ArnEquals", ["arn:aws:scheduler:eu-west-1:123456789012:schedule-group/async-router-sweeper"]]
    })
    error_message = "The trust policy must require this account (aws:SourceAccount) and this deployment's schedule group (aws:SourceArn)."
  }
}

run "scheduler_role_may_only_invoke_the_function" {
  command = plan

  assert {
    condition = jsonencode([for s in data.aws_iam_policy_document.scheduler.statement : {
      sid       = s.sid
      effect    = s.effect
      actions   = s.actions
      resources = s.resources
      condition = length(coalesce(s.condition, []))
      }]) == jsonencode([{
      sid       = "InvokeRouter"
      effect    = "Allow"
      actions   = ["lambda:InvokeFunction"]
      resources = ["arn:aws:lambda:eu-west-1:123456789012:function:async-router"]
      condition = 0
    }])
    error_message = "The scheduler role's one statement must allow lambda:InvokeFunction on the function's unqualified ARN and nothing else."
  }

  assert {
    condition     = aws_iam_role_policy.scheduler.role == aws_iam_role.scheduler.id && aws_iam_role_policy.scheduler.policy == data.aws_iam_policy_document.scheduler.json
    error_message = "The invoke policy must be attached to the scheduler role."
  }
}

run "sweeper_can_be_turned_off" {
  command = plan

  variables {
    sweep_enabled = false
  }

  # Turning it off is allowed; the check only warns that long chains of continuations then stall.
  expect_failures = [check.long_continuations_resume]

  assert {
    condition     = aws_scheduler_schedule.sweep.state == "DISABLED" && contains([for index in aws_dynamodb_table.this.global_secondary_index : index.name], "sweep")
    error_message = "sweep_enabled = false must disable the schedule and keep it (and the index)."
  }
}

run "sweep_schedule_and_names_follow_their_variables" {
  command = plan

  variables {
    name                      = "router-dev"
    sweep_schedule_expression = "cron(*/2 * * * ? *)"
  }

  assert {
    condition     = aws_scheduler_schedule.sweep.schedule_expression == "cron(*/2 * * * ? *)"
    error_message = "The schedule must use sweep_schedule_expression."
  }

  assert {
    condition = (
      aws_scheduler_schedule.sweep.name == "router-dev-sweep" &&
      aws_scheduler_schedule_group.this.name == "router-dev-sweeper" &&
      aws_iam_role.scheduler.name == "router-dev-scheduler" &&
      jsonencode(one(data.aws_iam_policy_document.scheduler.statement).resources) == jsonencode(["arn:aws:lambda:eu-west-1:123456789012:function:router-dev"]) &&
      one(flatten([for c in one(data.aws_iam_policy_document.scheduler_assume_role.statement).condition : tolist(c.values) if c.variable == "aws:SourceArn"])) == "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/router-dev-sweeper"
    )
    error_message = "The schedule, its group, its role and what the role may invoke must follow the name."
  }

  assert {
    condition     = one(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if s.sid == "QuerySweepIndex"])) == "arn:aws:dynamodb:eu-west-1:123456789012:table/router-dev-requests/index/sweep"
    error_message = "The Query permission must follow the table's name."
  }
}

run "callback_settings_reach_the_function" {
  command = plan

  variables {
    callback_allowed_hosts = ["hooks.example.com", "*.partner.example"]
    callback_max_attempts  = 30
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["CALLBACK_ALLOWED_HOSTS"] == "hooks.example.com,*.partner.example" &&
      one(aws_lambda_function.this.environment).variables["CALLBACK_MAX_ATTEMPTS"] == "30"
    )
    error_message = "CALLBACK_ALLOWED_HOSTS must be the hosts joined with commas, CALLBACK_MAX_ATTEMPTS the number."
  }
}
