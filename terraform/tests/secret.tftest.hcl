# The request-id and webhook secrets are made by Terraform's uuid(), which is known only once
# applied. The AWS provider is mocked (its values are made at apply here); terraform_data is built
# into Terraform.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "request_id_secret_is_made_once_per_deployment" {
  command = apply

  assert {
    condition     = can(regex("^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}){2}$", terraform_data.request_id_secret.output))
    error_message = "The request-id secret must be two fresh UUIDs (244 random bits)."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables.REQUEST_ID_SECRET == terraform_data.request_id_secret.output
    error_message = "The function must get the secret as REQUEST_ID_SECRET."
  }
}

run "request_id_secret_is_kept_by_the_next_plan" {
  # A secret about to be replaced would be unknown here and the condition could not be evaluated:
  # ignore_changes keeps it, although uuid() gives a new input on every plan.
  command = plan

  assert {
    condition     = can(regex("^([0-9a-f-]{36}){2}$", terraform_data.request_id_secret.output))
    error_message = "A later plan must keep the secret, or every Idempotency-Key would map to a new id."
  }
}

run "request_id_secret_rotates_with_its_version" {
  command = plan

  variables {
    request_id_secret_version = "2"
  }

  assert {
    condition     = jsonencode(terraform_data.request_id_secret.triggers_replace) == jsonencode(["2"])
    error_message = "Changing request_id_secret_version must replace the secret."
  }
}

# Runs in order on one state: the first apply makes the secret, the later runs see it kept, then
# replaced by a new version.

run "webhook_secret_is_a_standard_webhooks_secret" {
  command = apply

  assert {
    # The function's own pattern (src/config.ts), and exactly 32 bytes: 43 base64 characters and
    # one "=".
    condition     = can(regex("^whsec_[A-Za-z0-9+/]{32,88}={0,2}$", terraform_data.webhook_secret.output)) && can(regex("^whsec_[A-Za-z0-9+/]{43}=$", terraform_data.webhook_secret.output))
    error_message = "The webhook secret must be whsec_ and the base64 of 32 bytes."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables.WEBHOOK_SECRET == terraform_data.webhook_secret.output && output.webhook_secret == terraform_data.webhook_secret.output
    error_message = "The function must get the secret as WEBHOOK_SECRET, and the webhook_secret output must be it."
  }

  assert {
    # (The function's environment is sensitive as a whole already, for REQUEST_ID_SECRET, so only
    # the output can be told apart here.)
    condition     = issensitive(output.webhook_secret)
    error_message = "The webhook_secret output must be sensitive, so that plans and logs never show it."
  }

  assert {
    condition     = terraform_data.webhook_secret.output != "whsec_${terraform_data.request_id_secret.output}" && !strcontains(terraform_data.webhook_secret.output, terraform_data.request_id_secret.output)
    error_message = "The webhook secret must not be made from the request-id secret."
  }
}

run "webhook_secret_is_kept_by_the_next_plan" {
  command = plan

  assert {
    condition     = terraform_data.webhook_secret.output == run.webhook_secret_is_a_standard_webhooks_secret.webhook_secret
    error_message = "A later plan must keep the webhook secret, or every receiver would refuse the signatures."
  }
}

run "webhook_secret_rotates_with_its_version_alone" {
  command = apply

  variables {
    webhook_secret_version = "2"
  }

  assert {
    condition     = jsonencode(terraform_data.webhook_secret.triggers_replace) == jsonencode(["2"]) && output.webhook_secret != run.webhook_secret_is_a_standard_webhooks_secret.webhook_secret
    error_message = "Changing webhook_secret_version must make a new webhook secret."
  }

  assert {
    condition     = can(regex("^whsec_[A-Za-z0-9+/]{43}=$", output.webhook_secret)) && one(aws_lambda_function.this.environment).variables.WEBHOOK_SECRET == output.webhook_secret
    error_message = "The new secret must have the same form and reach the function."
  }

  assert {
    condition     = jsonencode(terraform_data.request_id_secret.triggers_replace) == jsonencode(["1"])
    error_message = "Rotating the webhook secret must leave the request-id secret alone."
  }
}
