# Plan-only tests against a mocked AWS provider: no credentials, no network, no resources.
# Needs Terraform >= 1.11 (override_during) and the built package at ../dist/lambda.zip
# (`npm run build`), because the function hashes it at plan time.

mock_provider "aws" {
  source = "./tests/mocks"

  # Generate mock values for computed attributes at plan time, so ids and ARNs can be compared.
  override_during = plan
}


run "bare_plan_needs_no_variables" {
  command = plan

  assert {
    condition     = output.invoke_url == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/api/v1/invoke"
    error_message = "invoke_url must be the stage URL followed by /v1/invoke."
  }

  assert {
    condition     = output.status_url_template == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/api/v1/status/{request_id}"
    error_message = "status_url_template must be the stage URL followed by /v1/status/{request_id}."
  }

  assert {
    condition     = output.api_base_url == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/api"
    error_message = "api_base_url must be the stage's invoke URL."
  }

  assert {
    condition     = output.table_name == "async-router-requests" && output.function_name == "async-router" && output.results_bucket == "async-router-results-123456789012-eu-west-1"
    error_message = "Default names must derive from the default name prefix (the bucket's from the account and region too)."
  }

  assert {
    condition     = output.function_arn == aws_lambda_function.this.arn
    error_message = "function_arn must be the function's unqualified ARN."
  }

  assert {
    condition     = output.api_key != null && issensitive(output.api_key)
    error_message = "With no variables, api_key must hold the (sensitive) key the API requires."
  }

  assert {
    condition     = output.front == "rest" && length(aws_api_gateway_rest_api.this) == 1 && length(aws_lambda_function_url.this) == 0
    error_message = "The default front must be the REST API, with no function URL."
  }

  assert {
    condition     = length(aws_lambda_permission.function_url_public) == 0 && length(aws_cloudcontrolapi_resource.function_url_public_invoke) == 0
    error_message = "The REST front must grant nothing to the public."
  }

  assert {
    condition     = length(aws_iam_role.api_gateway_cloudwatch) == 0 && length(aws_api_gateway_account.this) == 0
    error_message = "The account-wide API Gateway logging role must not be created unless asked for."
  }
}

run "api_routes_all_reach_the_function" {
  command = plan

  assert {
    condition = (
      aws_api_gateway_resource.v1[0].parent_id == "rootid0001" && aws_api_gateway_resource.v1[0].path_part == "v1" &&
      aws_api_gateway_resource.invoke[0].parent_id == aws_api_gateway_resource.v1[0].id && aws_api_gateway_resource.invoke[0].path_part == "invoke" &&
      aws_api_gateway_resource.status[0].parent_id == aws_api_gateway_resource.v1[0].id && aws_api_gateway_resource.status[0].path_part == "status" &&
      aws_api_gateway_resource.request[0].parent_id == aws_api_gateway_resource.status[0].id && aws_api_gateway_resource.request[0].path_part == "{request_id}" &&
      aws_api_gateway_resource.requests[0].parent_id == aws_api_gateway_resource.v1[0].id && aws_api_gateway_resource.requests[0].path_part == "requests" &&
      aws_api_gateway_resource.proxy[0].parent_id == "rootid0001" && aws_api_gateway_resource.proxy[0].path_part == "{proxy+}"
    )
    error_message = "The resource tree must be /v1/invoke, /v1/status/{request_id}, /v1/requests and a root /{proxy+}."
  }

  assert {
    condition = jsonencode(sort(keys(aws_api_gateway_method.route))) == jsonencode(sort([
      "POST /v1/invoke", "OPTIONS /v1/invoke", "ANY /v1/invoke",
      "GET /v1/status/{request_id}", "DELETE /v1/status/{request_id}", "OPTIONS /v1/status/{request_id}", "ANY /v1/status/{request_id}",
      "GET /v1/requests", "OPTIONS /v1/requests", "ANY /v1/requests",
      "GET /v1/webhook-secret", "OPTIONS /v1/webhook-secret", "ANY /v1/webhook-secret",
      "ANY /", "ANY /v1", "ANY /v1/status", "ANY /{proxy+}",
      # GET is streamed (events.tf, tests/events.tftest.hcl).
      "OPTIONS /v1/status/{request_id}/events", "ANY /v1/status/{request_id}/events",
    ]))
    error_message = "Unexpected set of API methods."
  }

  assert {
    condition = alltrue([
      aws_api_gateway_method.route["POST /v1/invoke"].resource_id == aws_api_gateway_resource.invoke[0].id,
      aws_api_gateway_method.route["OPTIONS /v1/invoke"].resource_id == aws_api_gateway_resource.invoke[0].id,
      aws_api_gateway_method.route["ANY /v1/invoke"].resource_id == aws_api_gateway_resource.invoke[0].id,
      aws_api_gateway_method.route["GET /v1/status/{request_id}"].resource_id == aws_api_gateway_resource.request[0].id,
      aws_api_gateway_method.route["DELETE /v1/status/{request_id}"].resource_id == aws_api_gateway_resource.request[0].id,
      aws_api_gateway_method.route["OPTIONS /v1/status/{request_id}"].resource_id == aws_api_gateway_resource.request[0].id,
      aws_api_gateway_method.route["ANY /v1/status/{request_id}"].resource_id == aws_api_gateway_resource.request[0].id,
      aws_api_gateway_method.route["GET /v1/requests"].resource_id == aws_api_gateway_resource.requests[0].id,
      aws_api_gateway_method.route["OPTIONS /v1/requests"].resource_id == aws_api_gateway_resource.requests[0].id,
      aws_api_gateway_method.route["ANY /v1/requests"].resource_id == aws_api_gateway_resource.requests[0].id,
      aws_api_gateway_method.route["GET /v1/webhook-secret"].resource_id == aws_api_gateway_resource.webhook_secret[0].id,
      aws_api_gateway_method.route["ANY /"].resource_id == "rootid0001",
      aws_api_gateway_method.route["ANY /v1"].resource_id == aws_api_gateway_resource.v1[0].id,
      aws_api_gateway_method.route["ANY /v1/status"].resource_id == aws_api_gateway_resource.status[0].id,
      aws_api_gateway_method.route["ANY /{proxy+}"].resource_id == aws_api_gateway_resource.proxy[0].id,
    ])
    error_message = "A method is attached to the wrong resource."
  }

  assert {
    condition     = alltrue([for key, method in aws_api_gateway_method.route : method.http_method == split(" ", key)[0] && method.authorization == "NONE"])
    error_message = "Every method's HTTP verb must match its route key, with no authorizer."
  }

  assert {
    condition     = jsonencode(sort(keys(aws_api_gateway_integration.route))) == jsonencode(sort(keys(aws_api_gateway_method.route)))
    error_message = "Every method needs exactly one integration."
  }

  assert {
    condition = alltrue([for key, integration in aws_api_gateway_integration.route :
      integration.type == "AWS_PROXY" &&
      integration.integration_http_method == "POST" &&
      integration.uri == aws_lambda_function.this.invoke_arn &&
      integration.resource_id == aws_api_gateway_method.route[key].resource_id &&
      integration.http_method == aws_api_gateway_method.route[key].http_method
    ])
    error_message = "Every integration must be AWS_PROXY (POST) to the function's invoke ARN on its own method."
  }

  assert {
    condition     = aws_lambda_permission.api[0].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/*"
    error_message = "The invoke permission must be scoped to this API's execution ARN."
  }

  assert {
    condition = (
      aws_lambda_permission.api[0].principal == "apigateway.amazonaws.com" &&
      aws_lambda_permission.api[0].action == "lambda:InvokeFunction" &&
      aws_lambda_permission.api[0].function_name == aws_lambda_function.this.function_name
    )
    error_message = "API Gateway must be allowed to invoke exactly this function."
  }

  assert {
    condition     = aws_api_gateway_stage.this[0].stage_name == "api" && aws_api_gateway_stage.this[0].deployment_id == aws_api_gateway_deployment.this[0].id
    error_message = "The stage must be named api and point at the deployment."
  }

  assert {
    condition     = length(aws_api_gateway_deployment.this[0].triggers["redeployment"]) == 40
    error_message = "The deployment must carry a sha1 redeployment trigger."
  }

  assert {
    condition = (
      aws_api_gateway_method_settings.this[0].method_path == "*/*" &&
      one(aws_api_gateway_method_settings.this[0].settings).throttling_burst_limit == 100 &&
      one(aws_api_gateway_method_settings.this[0].settings).throttling_rate_limit == 50
    )
    error_message = "Stage-wide throttling must use the default burst and rate limits."
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.access) == 0 && length(aws_api_gateway_stage.this[0].access_log_settings) == 0
    error_message = "Access logging must be off by default."
  }
}

run "gateway_responses_carry_cors" {
  command = plan

  assert {
    condition     = jsonencode(sort(keys(aws_api_gateway_gateway_response.cors))) == jsonencode(["DEFAULT_4XX", "DEFAULT_5XX"])
    error_message = "Both DEFAULT_4XX and DEFAULT_5XX need a gateway response."
  }

  assert {
    condition = alltrue([for type, response in aws_api_gateway_gateway_response.cors :
      response.response_type == type &&
      response.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'" &&
      response.response_parameters["gatewayresponse.header.Access-Control-Expose-Headers"] == "'Location,Retry-After'"
    ])
    error_message = "Gateway responses must allow any origin by default and expose Location and Retry-After."
  }
}

run "gateway_responses_use_first_configured_origin" {
  command = plan

  variables {
    cors_allow_origins = ["https://app.example.com", "http://localhost:5173"]
  }

  assert {
    condition = alltrue([for response in aws_api_gateway_gateway_response.cors :
      response.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    ])
    error_message = "Gateway responses must name the first configured origin."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["CORS_ALLOW_ORIGINS"] == "https://app.example.com,http://localhost:5173"
    error_message = "CORS_ALLOW_ORIGINS must be the origins joined with commas."
  }
}

run "requests_table" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.name == "async-router-requests" && aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.this.hash_key == "request_id"
    error_message = "The table must be on-demand with hash key request_id."
  }

  assert {
    # DynamoDB refuses a definition for an attribute that is no key, so these are exactly the keys.
    condition     = jsonencode(sort([for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"])) == jsonencode(["created_at:S", "owner:S", "request_id:S", "sweep_at:N", "sweep_shard:S"])
    error_message = "The attribute definitions must be the table's key request_id (S), the sweep index's keys sweep_shard (S) and sweep_at (N), and the owner index's owner (S) and created_at (S), nothing else."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.this.ttl).enabled
    error_message = "TTL must be enabled on expires_at."
  }

  assert {
    # enabled = false is DynamoDB's AWS owned key: encrypted at rest, with no KMS charge.
    condition     = !one(aws_dynamodb_table.this.server_side_encryption).enabled && one(aws_dynamodb_table.this.point_in_time_recovery).enabled
    error_message = "The table must use the AWS owned key (server_side_encryption.enabled = false) and point-in-time recovery by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition     = !contains([for s in data.aws_iam_policy_document.this.statement : s.sid], "UseTableKey")
    error_message = "Without a customer managed key the role must get no KMS permission."
  }

  assert {
    condition     = jsonencode(sort([for index in aws_dynamodb_table.this.global_secondary_index : index.name])) == jsonencode(["by_owner", "sweep"]) && length(aws_dynamodb_table.this.local_secondary_index) == 0
    error_message = "The table must have exactly two global secondary indexes, the sweeper's and the owner index, and no local one."
  }
}

run "point_in_time_recovery_can_be_turned_off" {
  command = plan

  variables {
    dynamodb_point_in_time_recovery = false
  }

  assert {
    condition     = !one(aws_dynamodb_table.this.point_in_time_recovery).enabled
    error_message = "dynamodb_point_in_time_recovery = false must turn PITR off."
  }
}

run "deletion_protection_can_be_turned_off" {
  command = plan

  variables {
    deletion_protection_enabled = false
  }

  assert {
    condition     = !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "deletion_protection_enabled = false must turn deletion protection off (the step before destroy)."
  }
}

run "table_with_customer_managed_key" {
  command = plan

  variables {
    dynamodb_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = (
      one(aws_dynamodb_table.this.server_side_encryption).enabled &&
      one(aws_dynamodb_table.this.server_side_encryption).kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "A customer managed key must encrypt the table."
  }

  assert {
    condition     = jsonencode([for s in data.aws_iam_policy_document.this.statement : s.sid]) == jsonencode(["WriteOwnLogs", "ReadWriteRequests", "QuerySweepIndex", "QueryOwnerIndex", "InvokeSelf", "ResultsObjects", "ReadSecrets", "UseTableKey"])
    error_message = "The key must add exactly one statement, after the six built-in ones."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement : (
      jsonencode(sort(s.actions)) == jsonencode(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]) &&
      jsonencode(s.resources) == jsonencode(["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]) &&
      s.effect == "Allow"
    ) if s.sid == "UseTableKey"])
    error_message = "The role must get Decrypt, DescribeKey, Encrypt and GenerateDataKey on that key only."
  }

  assert {
    condition = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : s.condition if s.sid == "UseTableKey"])) == jsonencode([{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.eu-west-1.amazonaws.com"]
    }])
    error_message = "The key must be usable through DynamoDB in this region only (kms:ViaService)."
  }
}

run "least_privilege_policy" {
  command = plan

  assert {
    condition     = jsonencode([for s in data.aws_iam_policy_document.this.statement : s.sid]) == jsonencode(["WriteOwnLogs", "ReadWriteRequests", "QuerySweepIndex", "QueryOwnerIndex", "InvokeSelf", "ResultsObjects", "ReadSecrets"])
    error_message = "The policy must have exactly the six statements for logs, the table's items, the sweep index, self-invocation, the results bucket's objects and the two secret parameters."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      s.effect == "Allow" && length(coalesce(s.not_actions, [])) == 0 && length(coalesce(s.not_resources, [])) == 0 && length(coalesce(s.condition, [])) == 0
    ])
    error_message = "Statements must be plain Allow statements."
  }

  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.this.statement : s.sid => sort(s.actions) }) == jsonencode({
      WriteOwnLogs      = ["logs:CreateLogStream", "logs:PutLogEvents"]
      ReadWriteRequests = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      QuerySweepIndex   = ["dynamodb:Query"]
      QueryOwnerIndex   = ["dynamodb:Query"]
      InvokeSelf        = ["lambda:InvokeFunction"]
      ResultsObjects    = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]
      ReadSecrets       = ["ssm:GetParameters"]
    })
    error_message = "Each statement must grant exactly the actions the code uses."
  }

  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.this.statement : s.sid => sort(s.resources) }) == jsonencode({
      WriteOwnLogs      = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/async-router:*"]
      ReadWriteRequests = ["arn:aws:dynamodb:eu-west-1:123456789012:table/async-router-requests"]
      QuerySweepIndex   = ["arn:aws:dynamodb:eu-west-1:123456789012:table/async-router-requests/index/sweep"]
      QueryOwnerIndex   = ["arn:aws:dynamodb:eu-west-1:123456789012:table/async-router-requests/index/by_owner"]
      InvokeSelf        = ["arn:aws:lambda:eu-west-1:123456789012:function:async-router", "arn:aws:lambda:eu-west-1:123456789012:function:async-router:*"]
      ResultsObjects    = ["arn:aws:s3:::async-router-results-123456789012-eu-west-1/requests/*"]
      ReadSecrets       = ["arn:aws:ssm:eu-west-1:123456789012:parameter/async-router/request-id-secret", "arn:aws:ssm:eu-west-1:123456789012:parameter/async-router/webhook-secret"]
    })
    error_message = "Statements must be scoped to the function's own log group, the requests table, its sweep and owner indexes, the function's own ARN (unqualified and qualified) and the results bucket's requests/ prefix."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*")])
    error_message = "No statement may use a bare * resource."
  }

  assert {
    condition     = aws_iam_role_policy.this.role == aws_iam_role.this.id && aws_iam_role_policy.this.policy == data.aws_iam_policy_document.this.json
    error_message = "The policy document must be attached to the function's role."
  }

  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.this.arn && aws_iam_role.this.name == "async-router-function"
    error_message = "The function must run as its own role."
  }

  assert {
    condition = (
      jsonencode(one(data.aws_iam_policy_document.assume_role.statement).actions) == jsonencode(["sts:AssumeRole"]) &&
      jsonencode(one(one(data.aws_iam_policy_document.assume_role.statement).principals).identifiers) == jsonencode(["lambda.amazonaws.com"])
    )
    error_message = "Only the Lambda service may assume the role."
  }
}

run "lambda_function" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.handler == "index.handler"
    error_message = "The function must run index.handler on nodejs22.x."
  }

  assert {
    condition     = jsonencode(aws_lambda_function.this.architectures) == jsonencode(["arm64"])
    error_message = "The function must run on arm64."
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 256 && aws_lambda_function.this.timeout == 900 && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "Default memory 256 MB, timeout 900 s, unreserved concurrency."
  }

  assert {
    condition     = endswith(aws_lambda_function.this.filename, "/../dist/lambda.zip") || var.lambda_zip_path != null
    error_message = "The package must default to dist/lambda.zip at the repository root."
  }

  assert {
    condition = one(aws_lambda_function.this.environment).variables == tomap({
      REQUESTS_TABLE              = "async-router-requests"
      REQUEST_TTL_SECONDS         = "86400"
      REQUEST_DEADLINE_SECONDS    = "6300"
      MAX_ATTEMPTS                = "3"
      CORS_ALLOW_ORIGINS          = "*"
      DEMO_TASK_MS                = "3000"
      REQUEST_ID_SECRET_PARAMETER = "/async-router/request-id-secret"
      RESULTS_BUCKET              = "async-router-results-123456789012-eu-west-1"
      RESULT_URL_SECONDS          = "900"
      MAX_OUTPUT_BYTES            = "1073741824"
      WEBHOOK_SECRET_PARAMETER    = "/async-router/webhook-secret"
      CALLBACK_ALLOWED_HOSTS      = ""
      CALLBACK_MAX_ATTEMPTS       = "12"
      CALLBACK_TIMEOUT_MS         = "5000"
      FUNCTION_TIMEOUT_SECONDS    = "900"
      CONTINUATION_CHAIN_MAX      = "12"
      AUTH                        = "api_key"
      JWT_ISSUER                  = ""
      JWT_AUDIENCE                = ""
    })
    error_message = "The environment must hold exactly the nineteen deployed variables with their default values (the secrets by their parameter names; deadline = 3 * 900 + 3600; no callback host list: any public host; API keys, no issuer)."
  }


  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/async-router" && aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "The function's log group must be /aws/lambda/<name> with 14 days retention."
  }

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this.function_name == aws_lambda_function.this.function_name &&
      aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2 &&
      aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 3600 &&
      aws_lambda_function_event_invoke_config.this.qualifier == null
    )
    error_message = "Async invocations of the unqualified function must retry twice and live at most an hour."
  }
}

run "lambda_tuning_variables" {
  command = plan

  variables {
    name                        = "router-dev"
    lambda_memory_mb            = 1024
    lambda_timeout_seconds      = 120
    reserved_concurrency        = 5
    async_retry_attempts        = 0
    async_max_event_age_seconds = 600
    request_ttl_seconds         = 7200
    demo_task_ms                = 0
    log_retention_days          = 30
    result_url_seconds          = 60
    max_output_bytes            = 1024
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "router-dev" && aws_lambda_function.this.memory_size == 1024 && aws_lambda_function.this.timeout == 120 && aws_lambda_function.this.reserved_concurrent_executions == 5
    error_message = "Name, memory, timeout and reserved concurrency must follow their variables."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["MAX_ATTEMPTS"] == "1" &&
      one(aws_lambda_function.this.environment).variables["REQUEST_DEADLINE_SECONDS"] == "720" &&
      one(aws_lambda_function.this.environment).variables["REQUEST_TTL_SECONDS"] == "7200" &&
      one(aws_lambda_function.this.environment).variables["DEMO_TASK_MS"] == "0" &&
      one(aws_lambda_function.this.environment).variables["REQUESTS_TABLE"] == "router-dev-requests"
    )
    error_message = "MAX_ATTEMPTS = retries + 1 and REQUEST_DEADLINE_SECONDS = (retries + 1) * timeout + event age."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["RESULTS_BUCKET"] == "router-dev-results-123456789012-eu-west-1" &&
      one(aws_lambda_function.this.environment).variables["RESULT_URL_SECONDS"] == "60" &&
      one(aws_lambda_function.this.environment).variables["MAX_OUTPUT_BYTES"] == "1024"
    )
    error_message = "RESULTS_BUCKET must follow the name, RESULT_URL_SECONDS and MAX_OUTPUT_BYTES their variables."
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 0 && aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 600
    error_message = "The async invoke config must follow its variables."
  }

  assert {
    condition = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "InvokeSelf"])) == jsonencode([
      "arn:aws:lambda:eu-west-1:123456789012:function:router-dev",
      "arn:aws:lambda:eu-west-1:123456789012:function:router-dev:*",
    ])
    error_message = "Self-invocation must follow the function name."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/router-dev" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group must follow the name and retention variables."
  }
}

run "api_keys_can_be_turned_off" {
  command = plan

  variables {
    api_key_required = false
  }

  # Anyone may call it and callbacks may go anywhere: checks.tf warns (safe_defaults.tftest.hcl).
  expect_failures = [check.callback_hosts_on_a_public_api]

  assert {
    condition     = alltrue([for method in aws_api_gateway_method.route : !method.api_key_required])
    error_message = "With api_key_required = false, no method may require an API key."
  }

  assert {
    condition     = length(aws_api_gateway_usage_plan.this) == 0 && length(aws_api_gateway_api_key.this) == 0 && length(aws_api_gateway_usage_plan_key.this) == 0
    error_message = "No usage plan or key may exist while API keys are off."
  }
}

run "api_keys_on" {
  command = plan

  variables {
    api_key_required = true
  }

  assert {
    condition = jsonencode(sort([for key, method in aws_api_gateway_method.route : key if !method.api_key_required])) == jsonencode(sort([
      "OPTIONS /v1/invoke", "OPTIONS /v1/status/{request_id}", "OPTIONS /v1/requests", "OPTIONS /v1/webhook-secret", "OPTIONS /v1/status/{request_id}/events",
    ]))
    error_message = "Every method but the OPTIONS preflights must require the key."
  }

  assert {
    condition = alltrue([
      for key in ["ANY /{proxy+}", "ANY /", "ANY /v1", "ANY /v1/status", "ANY /v1/invoke", "ANY /v1/status/{request_id}"] :
      aws_api_gateway_method.route[key].api_key_required
    ])
    error_message = "The catch-alls must require the key too, so no path reaches the function without one."
  }

  assert {
    condition     = length(aws_api_gateway_usage_plan.this) == 1 && length(aws_api_gateway_api_key.this) == 1 && length(aws_api_gateway_usage_plan_key.this) == 1
    error_message = "Turning API keys on must create one usage plan, one key and their link."
  }

  assert {
    condition = (
      one(aws_api_gateway_usage_plan.this[0].api_stages).api_id == "a1b2c3d4e5" &&
      one(aws_api_gateway_usage_plan.this[0].api_stages).stage == "api" &&
      one(aws_api_gateway_usage_plan.this[0].quota_settings).limit == 10000 &&
      one(aws_api_gateway_usage_plan.this[0].quota_settings).period == "DAY" &&
      one(aws_api_gateway_usage_plan.this[0].throttle_settings).burst_limit == 20 &&
      one(aws_api_gateway_usage_plan.this[0].throttle_settings).rate_limit == 10
    )
    error_message = "The usage plan must cover the stage with the default quota and throttle."
  }

  assert {
    condition = (
      aws_api_gateway_usage_plan_key.this[0].key_id == aws_api_gateway_api_key.this[0].id &&
      aws_api_gateway_usage_plan_key.this[0].usage_plan_id == aws_api_gateway_usage_plan.this[0].id &&
      aws_api_gateway_usage_plan_key.this[0].key_type == "API_KEY"
    )
    error_message = "The key must be attached to the usage plan."
  }

  assert {
    condition     = output.api_key == aws_api_gateway_api_key.this[0].value
    error_message = "The api_key output must be the key's value."
  }
}

run "access_logging_on" {
  command = plan

  variables {
    access_logging_enabled = true
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.access) == 1 && one(aws_api_gateway_stage.this[0].access_log_settings).destination_arn == aws_cloudwatch_log_group.access[0].arn
    error_message = "Access logging must create a log group and point the stage at it."
  }

  assert {
    condition     = jsondecode(one(aws_api_gateway_stage.this[0].access_log_settings).format).requestId == "$context.requestId"
    error_message = "The access log format must be JSON and include the request id."
  }
}

run "account_role_for_api_gateway_logs" {
  command = plan

  variables {
    create_api_gateway_account_role = true
    access_logging_enabled          = true
  }

  # The mock gives every role the same ARN; a distinct one shows which role the account points at.
  override_resource {
    target          = aws_iam_role.api_gateway_cloudwatch[0]
    override_during = plan
    values = {
      arn = "arn:aws:iam::123456789012:role/async-router-apigateway-cloudwatch"
    }
  }

  assert {
    condition = (
      aws_iam_role.api_gateway_cloudwatch[0].name == "async-router-apigateway-cloudwatch" &&
      jsonencode(one(data.aws_iam_policy_document.api_gateway_assume_role[0].statement).actions) == jsonencode(["sts:AssumeRole"]) &&
      jsonencode(one(one(data.aws_iam_policy_document.api_gateway_assume_role[0].statement).principals).identifiers) == jsonencode(["apigateway.amazonaws.com"])
    )
    error_message = "Only API Gateway may assume the logging role."
  }

  assert {
    condition = (
      aws_iam_role_policy_attachment.api_gateway_cloudwatch[0].role == aws_iam_role.api_gateway_cloudwatch[0].name &&
      aws_iam_role_policy_attachment.api_gateway_cloudwatch[0].policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    )
    error_message = "The logging role must carry the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs."
  }

  assert {
    condition = (
      aws_api_gateway_account.this[0].cloudwatch_role_arn == "arn:aws:iam::123456789012:role/async-router-apigateway-cloudwatch" &&
      aws_api_gateway_account.this[0].reset_on_delete
    )
    error_message = "The account's API Gateway setting must point at the logging role and be reset when destroyed."
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.access) == 1 && length(aws_api_gateway_stage.this[0].access_log_settings) == 1
    error_message = "Access logging must still be configured on the stage."
  }
}

run "extra_policy_statements_are_appended" {
  command = plan

  variables {
    extra_policy_statements = [
      {
        sid       = "InvokeAnswerModel"
        actions   = ["bedrock:InvokeModel"]
        resources = ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]
      },
      {
        effect    = "Deny"
        actions   = ["s3:DeleteObject"]
        resources = ["arn:aws:s3:::reports/*"]
        conditions = [{
          test     = "StringNotEquals"
          variable = "aws:PrincipalTag/team"
          values   = ["reports"]
        }]
      },
    ]
  }

  assert {
    condition     = jsonencode([for s in data.aws_iam_policy_document.this.statement : s.sid]) == jsonencode(["WriteOwnLogs", "ReadWriteRequests", "QuerySweepIndex", "QueryOwnerIndex", "InvokeSelf", "ResultsObjects", "ReadSecrets", "InvokeAnswerModel", null])
    error_message = "Extra statements must come after the built-in ones, in order."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[7].effect == "Allow" &&
      jsonencode(data.aws_iam_policy_document.this.statement[7].actions) == jsonencode(["bedrock:InvokeModel"]) &&
      jsonencode(data.aws_iam_policy_document.this.statement[7].resources) == jsonencode(["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"]) &&
      length(data.aws_iam_policy_document.this.statement[7].condition) == 0
    )
    error_message = "An extra statement must default to Allow and keep its actions and resources."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[8].effect == "Deny" &&
      jsonencode(data.aws_iam_policy_document.this.statement[8].condition) == jsonencode([{
        test     = "StringNotEquals"
        variable = "aws:PrincipalTag/team"
        values   = ["reports"]
      }])
    )
    error_message = "An extra statement's effect and conditions must be kept."
  }
}

run "region_can_be_set" {
  command = plan

  variables {
    region = "eu-west-1"
  }

  assert {
    condition     = output.invoke_url == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/api/v1/invoke"
    error_message = "Setting the region must not change anything else."
  }
}
