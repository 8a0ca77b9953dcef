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
