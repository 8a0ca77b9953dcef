resource "aws_dynamodb_table" "this" {
  name         = local.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "request_id"

  # Set deletion_protection_enabled = false and apply before `terraform destroy`.
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "request_id"
    type = "S"
  }

  # The sweep index's keys. DynamoDB wants a definition only for attributes that are keys; the
  # function sets both while a request has something for the sweeper to check, and removes both
  # when it has not (src/requests/store.ts).
  attribute {
    name = "sweep_shard"
    type = "S"
  }

  attribute {
    name = "sweep_at"
    type = "N"
  }

  # What the sweeper reads every run (src/requests/sweeper.ts): requests due for a look, by shard,
  # soonest first. Sparse: an item is in the index only while it has both sweep_shard and
  # sweep_at, so the index holds the live requests and the ended ones whose webhook is still owed,
  # never the whole table, and the sweeper never scans. KEYS_ONLY: the sweeper needs only the
  # request_id (and sweep_at) from it and reads the item itself, consistently, before acting, so
  # projecting more would only make every write to the index dearer. On-demand like the table:
  # no capacity to set. Adding it to an existing table backfills it in the background (the apply
  # waits until it is ACTIVE); items written before have neither attribute and stay out of it.
  global_secondary_index {
    name            = local.sweep_index
    hash_key        = "sweep_shard"
    range_key       = "sweep_at"
    projection_type = "KEYS_ONLY"
  }

  # The owner index's keys: every item written for a caller with an owner has both (created_at is
  # ISO-8601 UTC with milliseconds, so it sorts as time); items of the anonymous tenant have no
  # owner and stay out of the index.
  attribute {
    name = "owner"
    type = "S"
  }

  attribute {
    name = "created_at"
    type = "S"
  }

  # GET /v1/requests (src/requests/owner-index.ts): one caller's requests, newest first, one Query
  # per page and never a scan. INCLUDE projects what a list item shows and no more: the result and
  # the input stay in the table, so the index's writes stay small. On-demand like the table. Adding
  # it to an existing table backfills it in the background (the apply waits until it is ACTIVE);
  # items written before owners existed have no owner attribute and are not listed.
  global_secondary_index {
    name               = local.owner_index
    hash_key           = "owner"
    range_key          = "created_at"
    projection_type    = "INCLUDE"
    non_key_attributes = local.owner_index_attributes
  }

  # Must match TTL_ATTRIBUTE in src/config.ts (checked by test/terraform/drift.test.ts).
  # TTL deletes items up to days late; the handler re-checks expiry on every read.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  # enabled = false means DynamoDB's AWS owned key (no KMS charge); true with a key ARN means that
  # customer managed key. (true without a key ARN would be the AWS managed key aws/dynamodb, billed
  # per KMS call, which this configuration used before.) An explicit false, rather than no block,
  # also moves an existing table off that key.
  server_side_encryption {
    enabled     = var.dynamodb_kms_key_arn != null
    kms_key_arn = var.dynamodb_kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.dynamodb_point_in_time_recovery
  }

  lifecycle {
    precondition {
      condition     = var.dynamodb_kms_key_arn == null || try(split(":", var.dynamodb_kms_key_arn)[3] == data.aws_region.current.name, false)
      error_message = "dynamodb_kms_key_arn must be a key in the deployment's region (${data.aws_region.current.name}): DynamoDB cannot use a KMS key from another region."
    }
  }
}
