# The owner index (dynamodb.tf) that GET /v1/requests reads, and the role's Query on it (iam.tf).
# That its name and projected attributes are OWNER_INDEX and OWNER_INDEX_ATTRIBUTES
# (src/requests/owner-index.ts) is checked by test/terraform/drift.test.ts.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "owner_index_lists_a_callers_requests_newest_first" {
  command = plan

  assert {
    condition = (
      one([for index in aws_dynamodb_table.this.global_secondary_index : index.hash_key if index.name == "by_owner"]) == "owner" &&
      one([for index in aws_dynamodb_table.this.global_secondary_index : index.range_key if index.name == "by_owner"]) == "created_at"
    )
    error_message = "The table must have the by_owner index, hash key owner, range key created_at."
  }

  assert {
    # ISO-8601 UTC strings sort as time, so created_at is a string key.
    condition = (
      one([for a in aws_dynamodb_table.this.attribute : a.type if a.name == "owner"]) == "S" &&
      one([for a in aws_dynamodb_table.this.attribute : a.type if a.name == "created_at"]) == "S"
    )
    error_message = "owner and created_at must be defined as strings (S)."
  }

  assert {
    condition = (
      one([for index in aws_dynamodb_table.this.global_secondary_index : index.projection_type if index.name == "by_owner"]) == "INCLUDE" &&
      jsonencode(sort(tolist(one([for index in aws_dynamodb_table.this.global_secondary_index : index.non_key_attributes if index.name == "by_owner"])))) == jsonencode(sort([
        "status", "task", "updated_at", "expires_at", "progress", "step", "error", "error_code", "session_id",
      ]))
    )
    error_message = "The owner index must project exactly what a list item shows (status, task, updated_at, expires_at, progress, step, error, error_code, session_id), never the result."
  }

  assert {
    condition     = length(one([for index in aws_dynamodb_table.this.global_secondary_index : index.on_demand_throughput if index.name == "by_owner"])) == 0
    error_message = "The owner index must be on-demand like its table, with no throughput limit of its own."
  }

  assert {
    condition     = jsonencode(sort([for index in aws_dynamodb_table.this.global_secondary_index : index.name])) == jsonencode(["by_owner", "sweep"]) && length(aws_dynamodb_table.this.local_secondary_index) == 0
    error_message = "The table must have exactly two global indexes (sweep and by_owner) and no local one."
  }
}

run "role_may_query_the_owner_index" {
  command = plan

  assert {
    condition = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : {
      effect    = s.effect
      actions   = s.actions
      resources = s.resources
      } if s.sid == "QueryOwnerIndex"])) == jsonencode({
      effect    = "Allow"
      actions   = ["dynamodb:Query"]
      resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/async-router-requests/index/by_owner"]
    })
    error_message = "QueryOwnerIndex must allow dynamodb:Query on the owner index's ARN only."
  }
}
