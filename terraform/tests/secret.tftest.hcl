# The request-id and webhook secrets live in SSM SecureString parameters, written through the
# write-only argument value_wo (Terraform >= 1.11): Terraform sends the value to SSM on create and
# on each rotation, and keeps it in neither the plan nor the state. The function is given the
# parameters' names, never their values, and reads them once per cold start (src/secrets.ts).
#
# That no plan or state shows a value is checked by test/terraform/terraform.test.ts, which runs
# the tests with -verbose (every plan and state rendered) and looks for any secret's form.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "secrets_are_ssm_secure_strings" {
  command = apply

  assert {
    condition = (
      aws_ssm_parameter.request_id_secret.name == "/async-router/request-id-secret" &&
      aws_ssm_parameter.webhook_secret.name == "/async-router/webhook-secret" &&
      aws_ssm_parameter.request_id_secret.type == "SecureString" &&
      aws_ssm_parameter.webhook_secret.type == "SecureString"
    )
    error_message = "Both secrets must be SecureString parameters named /<name>/request-id-secret and /<name>/webhook-secret."
  }

  assert {
    # Write-only: never in the plan or the state, whatever was sent.
    condition     = aws_ssm_parameter.request_id_secret.value_wo == null && aws_ssm_parameter.webhook_secret.value_wo == null
    error_message = "The secrets' values must be write-only (value_wo), kept in no plan or state."
  }

  assert {
    condition     = aws_ssm_parameter.request_id_secret.value_wo_version == 1 && aws_ssm_parameter.webhook_secret.value_wo_version == 1
    error_message = "Each secret is written once, at version 1, until its *_secret_version changes."
  }

  assert {
    condition = (
      !contains(keys(one(aws_lambda_function.this.environment).variables), "REQUEST_ID_SECRET") &&
      !contains(keys(one(aws_lambda_function.this.environment).variables), "WEBHOOK_SECRET") &&
      one(aws_lambda_function.this.environment).variables.REQUEST_ID_SECRET_PARAMETER == aws_ssm_parameter.request_id_secret.name &&
      one(aws_lambda_function.this.environment).variables.WEBHOOK_SECRET_PARAMETER == aws_ssm_parameter.webhook_secret.name
    )
    error_message = "The function's environment must name the parameters (REQUEST_ID_SECRET_PARAMETER, WEBHOOK_SECRET_PARAMETER) and hold no secret, which lambda:GetFunctionConfiguration would show."
  }

  assert {
    condition     = !issensitive(one(aws_lambda_function.this.environment).variables)
    error_message = "With no secret in it, the environment needs no sensitive marking (a plan shows every variable)."
  }

  assert {
    condition     = output.secret_parameters == { request_id = "/async-router/request-id-secret", webhook = "/async-router/webhook-secret" }
    error_message = "The secret_parameters output must give the parameters' names (not their values)."
  }
}

run "the_role_reads_those_two_parameters_only" {
  command = plan

  assert {
    condition = length([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ReadSecrets"]) == 1 && anytrue([for s in data.aws_iam_policy_document.this.statement :
      s.sid == "ReadSecrets" && s.effect == "Allow" && jsonencode(s.actions) == jsonencode(["ssm:GetParameters"]) && jsonencode(sort(s.resources)) == jsonencode([
        "arn:aws:ssm:eu-west-1:123456789012:parameter/async-router/request-id-secret",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/async-router/webhook-secret",
      ])
    ])
    error_message = "The role must be allowed ssm:GetParameters on the two secret parameters and nothing else."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if anytrue([for a in s.actions : startswith(a, "ssm:") || startswith(a, "kms:")]) && s.sid != "ReadSecrets"]) == 0
    error_message = "Without a customer managed key for the secrets, the role needs nothing else of SSM or KMS (SSM decrypts with its AWS managed key)."
  }
}

run "a_customer_managed_key_is_usable_through_ssm_only" {
  command = plan

  variables {
    secrets_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_ssm_parameter.request_id_secret.key_id == var.secrets_kms_key_arn && aws_ssm_parameter.webhook_secret.key_id == var.secrets_kms_key_arn
    error_message = "Both parameters must be encrypted with secrets_kms_key_arn."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement : s.sid == "DecryptSecrets" &&
      jsonencode(s.actions) == jsonencode(["kms:Decrypt"]) && jsonencode(s.resources) == jsonencode([var.secrets_kms_key_arn]) &&
      anytrue([for c in s.condition : c.variable == "kms:ViaService" && jsonencode(c.values) == jsonencode(["ssm.eu-west-1.amazonaws.com"])])
    ])
    error_message = "With a key, the role may only kms:Decrypt with it, through SSM in this region."
  }
}

run "request_id_secret_rotates_with_its_version_alone" {
  command = apply

  variables {
    request_id_secret_version = 2
  }

  assert {
    condition     = aws_ssm_parameter.request_id_secret.value_wo_version == 2 && aws_ssm_parameter.webhook_secret.value_wo_version == 1
    error_message = "Changing request_id_secret_version must write a new request-id secret and leave the webhook secret alone."
  }
}

run "webhook_secret_rotates_with_its_version_alone" {
  command = apply

  variables {
    request_id_secret_version = 2
    webhook_secret_version    = 2
  }

  assert {
    condition     = aws_ssm_parameter.webhook_secret.value_wo_version == 2 && aws_ssm_parameter.request_id_secret.value_wo_version == 2
    error_message = "Changing webhook_secret_version must write a new webhook secret."
  }

  assert {
    # A rotation changes the parameter in place; the function's environment (the name) stays.
    condition     = one(aws_lambda_function.this.environment).variables.WEBHOOK_SECRET_PARAMETER == "/async-router/webhook-secret" && endswith(aws_lambda_function.this.description, "Secrets v2/v2.")
    error_message = "A rotation must keep the parameter's name and update the function's configuration (its description), so that fresh execution environments read the new value."
  }
}

run "a_later_plan_keeps_both_secrets" {
  command = plan

  variables {
    request_id_secret_version = 2
    webhook_secret_version    = 2
  }

  assert {
    condition     = aws_ssm_parameter.webhook_secret.value_wo_version == 2 && aws_ssm_parameter.request_id_secret.value_wo_version == 2
    error_message = "A plan with unchanged versions must not write new secrets."
  }
}
