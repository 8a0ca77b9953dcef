# The deployment's two secrets: the key behind request ids (src/requests/idempotency.ts) and the
# key that signs completion webhooks. Each is an SSM SecureString parameter whose value Terraform
# writes through the write-only argument value_wo (Terraform >= 1.11): the value is sent to SSM
# and kept in no plan, no state and no output, so no `plan`, `apply`, `destroy` or `show` can print
# it. The function gets the parameters' names and reads the values once per cold start
# (src/secrets.ts), so lambda:GetFunctionConfiguration shows no secret either.
#
# The values come from Terraform's own uuid() (random, 122 bits each), with no extra provider.
# uuid() changes on every plan, but a write-only value is sent only when the parameter is created
# or its value_wo_version changes: changing request_id_secret_version or webhook_secret_version
# writes a new secret (see README, "Rotating the secrets").

locals {
  request_id_secret_parameter = "/${var.name}/request-id-secret"
  webhook_secret_parameter    = "/${var.name}/webhook-secret"
  secret_parameter_arns = [
    for name in [local.request_id_secret_parameter, local.webhook_secret_parameter] :
    "${local.arn_prefix}:ssm:${local.region_account}:parameter${name}"
  ]
}

resource "aws_ssm_parameter" "request_id_secret" {
  name        = local.request_id_secret_parameter
  description = "Key behind the request ids of ${local.function_name} (REQUEST_ID_SECRET_PARAMETER)."
  type        = "SecureString"
  key_id      = var.secrets_kms_key_arn

  # Two UUIDs: 244 random bits.
  value_wo         = "${uuid()}${uuid()}"
  value_wo_version = var.request_id_secret_version
}

resource "aws_ssm_parameter" "webhook_secret" {
  name        = local.webhook_secret_parameter
  description = "Key each tenant's webhook signing secret of ${local.function_name} is derived from (WEBHOOK_SECRET_PARAMETER); never give it to a receiver: each fetches its own from GET /v1/webhook-secret."
  type        = "SecureString"
  key_id      = var.secrets_kms_key_arn

  # Standard Webhooks' form ("whsec_" and the base64 of the key's bytes; src/config.ts refuses
  # anything else): two UUIDs hashed into 32 bytes.
  value_wo         = "whsec_${base64sha256("${uuid()}${uuid()}")}"
  value_wo_version = var.webhook_secret_version
}
