resource "aws_dynamodb_table" "this" {
  name         = local.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "request_id"

  attribute {
    name = "request_id"
    type = "S"
  }

  # Must match TTL_ATTRIBUTE in src/config.ts (checked by test/terraform/drift.test.ts).
  # TTL deletes items up to days late; the handler re-checks expiry on every read.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = var.dynamodb_point_in_time_recovery
  }
}
