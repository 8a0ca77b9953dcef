# The function URL front (front = "function_url"): the function answers HTTPS calls itself, with no
# API Gateway in between. Lambda routes nothing: the function gets the raw path (/v1/invoke,
# /v1/status/{request_id}) and answers unknown paths and wrong methods itself.

resource "aws_lambda_function_url" "this" {
  count = local.function_url_front ? 1 : 0

  function_name      = aws_lambda_function.this.function_name
  authorization_type = local.function_url_auth_type

  # The function streams its answers (awslambda.streamifyResponse: src/streaming.ts): each
  # route's prelude and body, and GET /v1/status/{request_id}/events event by event.
  invoke_mode = "RESPONSE_STREAM"

  # Lambda answers preflights (OPTIONS) from this configuration without invoking the function.
  cors {
    allow_origins  = var.cors_allow_origins
    allow_methods  = local.function_url_cors_allow_methods
    allow_headers  = local.function_url_cors_allow_headers
    expose_headers = local.function_url_cors_expose_headers
    max_age        = local.cors_preflight_max_age_seconds

    # Callers authenticate with headers (SigV4 for AWS_IAM), never with cookies.
    allow_credentials = false
  }

  lifecycle {
    # Variables cannot refer to each other in Terraform < 1.9, so the cross-checks live here.
    precondition {
      condition     = var.api_key_required != true
      error_message = "api_key_required = true needs front = \"rest\": a Lambda function URL has no API keys or usage plans. Use front = \"rest\" for API keys, or function_url_auth_type = \"AWS_IAM\" to let only IAM principals call the function URL."
    }

    precondition {
      condition     = local.auth != "api_key"
      error_message = "auth = \"api_key\" needs front = \"rest\": a Lambda function URL has no API keys. Use auth = \"iam\" (AWS_IAM: SigV4-signed calls), \"jwt\" (the function verifies bearer tokens) or \"none\" here, or front = \"rest\" for keys."
    }

    # AWS_IAM lets no call without a SigV4 signature through, so neither a bearer token nor an
    # anonymous caller could reach the function; NONE with auth = "iam" would check nobody.
    precondition {
      condition     = (local.auth == "iam") == (local.function_url_auth_type == "AWS_IAM")
      error_message = "function_url_auth_type = \"${local.function_url_auth_type}\" does not fit auth = \"${coalesce(local.auth, "-")}\": auth = \"iam\" needs AWS_IAM, auth = \"jwt\" and \"none\" need NONE (the function decides who may call). Remove function_url_auth_type (it follows auth), or make the two agree."
    }

    # A public URL has no throttling of its own: the reservation is the only cap on what anyone
    # can make the function (and the account's concurrency) do.
    precondition {
      condition     = !local.function_url_public || coalesce(var.reserved_concurrency, -1) >= 1
      error_message = "A function URL with authorization NONE (auth = \"jwt\" or \"none\") is public, with no throttling: anyone can invoke the function, even without a valid token. Set reserved_concurrency (a whole number of at least 1) to cap it, or use front = \"rest\" or \"http_api\" (throttling), or auth = \"iam\"."
    }

    precondition {
      condition     = !var.access_logging_enabled
      error_message = "access_logging_enabled = true needs front = \"rest\" or \"http_api\": a Lambda function URL has no API Gateway access logs. Turn it off, or use an API Gateway front."
    }
  }

  # With NONE, the provider (hashicorp/aws 5.x) adds a statement with this same id on create when
  # none exists; creating ours first keeps that statement in the state, so it is removed again
  # when the front or the auth type changes.
  depends_on = [aws_lambda_permission.function_url_public]
}

# NONE: Lambda still checks the function's resource policy, which must let anyone ("*") call the
# URL. The function_url_auth_type condition limits the grant to a URL whose auth type is NONE.
resource "aws_lambda_permission" "function_url_public" {
  count = local.function_url_public ? 1 : 0

  statement_id           = "FunctionURLAllowPublicAccess"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Since October 2025, a new function URL also needs lambda:InvokeFunction for its callers; for a
# public URL that is "*", limited by the condition lambda:InvokedViaFunctionUrl = true, so nobody
# can call the Invoke API directly (and, say, forge a worker event). aws_lambda_permission cannot
# set that condition before hashicorp/aws 6.x (invoked_via_function_url), so this statement goes
# through Cloud Control (AWS::Lambda::Permission, InvokedViaFunctionUrl). With a 6.x provider,
# replace it with an aws_lambda_permission that sets invoked_via_function_url = true.
resource "aws_cloudcontrolapi_resource" "function_url_public_invoke" {
  count = local.function_url_public ? 1 : 0

  type_name = "AWS::Lambda::Permission"
  desired_state = jsonencode({
    FunctionName          = aws_lambda_function.this.function_name
    Action                = "lambda:InvokeFunction"
    Principal             = "*"
    InvokedViaFunctionUrl = true
  })
}
