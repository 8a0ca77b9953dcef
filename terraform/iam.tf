data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.role_name
  description        = "Execution role of the ${local.function_name} Lambda function."
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

locals {
  # By statement id; a key left null adds nothing.
  customer_key_uses = merge(
    var.dynamodb_kms_key_arn == null ? {} : {
      UseTableKey = { key = var.dynamodb_kms_key_arn, service = "dynamodb", actions = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] }
    },
    var.secrets_kms_key_arn == null ? {} : {
      DecryptSecrets = { key = var.secrets_kms_key_arn, service = "ssm", actions = ["kms:Decrypt"] }
    },
  )
}

data "aws_iam_policy_document" "this" {
  # The log group is created by Terraform (lambda.tf), so the function needs no logs:CreateLogGroup.
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # Exactly the calls the request store makes on items; never Query or Scan on the table itself.
  statement {
    sid       = "ReadWriteRequests"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [local.table_arn]
  }

  # The sweeper's one read of many items: Query on the sweep index, and on nothing else. An index
  # ARN (<table>/index/<name>) grants nothing on the table, so a Query of the table stays denied.
  statement {
    sid       = "QuerySweepIndex"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = [local.sweep_index_arn]
  }

  # GET /v1/requests: Query on the owner index, always with the caller's owner as the hash key.
  statement {
    sid       = "QueryOwnerIndex"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = [local.owner_index_arn]
  }

  # The handler invokes context.invokedFunctionArn, which is the unqualified ARN or a qualified
  # one (version or alias), so both forms are allowed, and nothing else.
  statement {
    sid       = "InvokeSelf"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.function_arn, "${local.function_arn}:*"]
  }

  # What src/storage/s3-object-store.ts does, on the requests/ prefix only: PutObject (multipart
  # uploads too: Create, UploadPart and Complete all need s3:PutObject), GetObject (a presigned URL
  # works with the permissions of the role that signed it), DeleteObject (DeleteObjects checks it
  # per key), AbortMultipartUpload (a failed stream's upload is aborted, parts included) and
  # ListMultipartUploadParts, the other multipart call on one object. Nothing on the bucket itself:
  # the function never lists it.
  statement {
    sid    = "ResultsObjects"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${local.results_bucket_arn}/${local.results_prefix}*"]
  }

  # The deployment's two secrets (secrets.tf), read once per cold start with one GetParameters
  # call; no other parameter, and no GetParametersByPath.
  statement {
    sid       = "ReadSecrets"
    effect    = "Allow"
    actions   = ["ssm:GetParameters"]
    resources = local.secret_parameter_arns
  }

  # Customer managed keys, each usable only through the service that needs it, in this region
  # (kms:ViaService), never directly: the table's, for whoever reads and writes items (unless its
  # key policy already allows it), and the secrets', with which SSM decrypts a SecureString on the
  # caller's permission (AWS's aws/ssm key needs none).
  dynamic "statement" {
    for_each = local.customer_key_uses

    content {
      sid       = statement.key
      effect    = "Allow"
      actions   = statement.value.actions
      resources = [statement.value.key]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["${statement.value.service}.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }

  # What the tasks need beyond the router itself (var.extra_policy_statements), appended as given.
  dynamic "statement" {
    for_each = var.extra_policy_statements

    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${local.function_name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
