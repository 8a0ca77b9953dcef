# The request-id secret is made by Terraform's uuid(), which is known only once applied. The AWS
# provider is mocked (its values are made at apply here); terraform_data is built into Terraform.

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
