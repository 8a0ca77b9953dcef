# The HTTP API front (front = "http_api"): API Gateway's HTTP API, payload format 2.0, one $default
# stage (no stage in the URL). It verifies bearer tokens itself with a JWT authorizer (auth = "jwt")
# or SigV4 signatures on AWS_IAM routes (auth = "iam"); it has no API keys. With another front none
# of this file is created.

resource "aws_apigatewayv2_api" "this" {
  count = local.http_api_front ? 1 : 0

  name          = local.api_name
  description   = "Async request router: POST /v1/invoke, GET and DELETE /v1/status/{request_id}, GET /v1/requests, GET /v1/webhook-secret."
  protocol_type = "HTTP"

  # API Gateway answers preflights itself from this configuration, and puts these headers on the
  # function's answers in place of the function's own.
  cors_configuration {
    allow_origins  = var.cors_allow_origins
    allow_methods  = local.function_url_cors_allow_methods
    allow_headers  = local.function_url_cors_allow_headers
    expose_headers = local.function_url_cors_expose_headers
    max_age        = local.cors_preflight_max_age_seconds

    # Callers authenticate with headers (a bearer token, SigV4), never with cookies.
    allow_credentials = false
  }

  lifecycle {
    precondition {
      condition     = local.auth != null
      error_message = "front = \"http_api\" needs auth set: \"jwt\" (a JWT authorizer verifies bearer tokens), \"iam\" (SigV4-signed calls) or \"none\" (anyone may call). An HTTP API has no API keys; for keys use front = \"rest\"."
    }

    precondition {
      condition     = local.auth != "api_key"
      error_message = "auth = \"api_key\" needs front = \"rest\": an HTTP API has no API keys or usage plans. Use auth = \"jwt\", \"iam\" or \"none\" here, or front = \"rest\" for keys."
    }

    precondition {
      condition     = var.api_key_required != true
      error_message = "api_key_required = true needs front = \"rest\": an HTTP API has no API keys or usage plans. Use auth = \"jwt\" or \"iam\" to identify callers here."
    }
  }
}

resource "aws_apigatewayv2_integration" "this" {
  count = local.http_api_front ? 1 : 0

  api_id                 = aws_apigatewayv2_api.this[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.this.invoke_arn
  integration_method     = "POST"
  payload_format_version = "2.0"
}

locals {
  # Every v1 route (src/contract.ts ROUTES, checked by test/terraform/drift.test.ts) and $default,
  # which sends unknown paths and wrong methods to the function for its 404 and 405 + Allow.
  # $default would also catch preflights and ask them for a token; OPTIONS /{proxy+}, open to all,
  # ranks above it (API Gateway answers preflights from the CORS configuration).
  http_api_routes = toset([
    "POST /v1/invoke",
    "GET /v1/status/{request_id}",
    "DELETE /v1/status/{request_id}",
    "GET /v1/status/{request_id}/events",
    "GET /v1/requests",
    "GET /v1/webhook-secret",
    "$default",
    "OPTIONS /{proxy+}",
  ])

  http_api_authorization_type = local.jwt ? "JWT" : local.auth == "iam" ? "AWS_IAM" : "NONE"
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  count = local.http_api_front && local.jwt ? 1 : 0

  api_id           = aws_apigatewayv2_api.this[0].id
  name             = "${local.api_name}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = local.jwt_issuer
    audience = [local.jwt_audience]
  }
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.http_api_front ? local.http_api_routes : toset([])

  api_id             = aws_apigatewayv2_api.this[0].id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this[0].id}"
  authorization_type = each.key == "OPTIONS /{proxy+}" ? "NONE" : local.http_api_authorization_type
  authorizer_id      = each.key != "OPTIONS /{proxy+}" && local.jwt ? aws_apigatewayv2_authorizer.jwt[0].id : null
}

resource "aws_apigatewayv2_stage" "this" {
  count = local.http_api_front ? 1 : 0

  api_id      = aws_apigatewayv2_api.this[0].id
  name        = "$default"
  auto_deploy = true

  # Per route, like the REST API's per-method limits.
  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }

  # HTTP APIs write access logs without the account-level CloudWatch role the REST API needs.
  dynamic "access_log_settings" {
    for_each = aws_cloudwatch_log_group.access

    content {
      destination_arn = access_log_settings.value.arn
      format = jsonencode({
        requestId          = "$context.requestId"
        ip                 = "$context.identity.sourceIp"
        requestTime        = "$context.requestTime"
        httpMethod         = "$context.httpMethod"
        routeKey           = "$context.routeKey"
        path               = "$context.path"
        status             = "$context.status"
        responseLength     = "$context.responseLength"
        integrationLatency = "$context.integrationLatency"
        integrationStatus  = "$context.integrationStatus"
        errorMessage       = "$context.error.message"
        authorizerError    = "$context.authorizer.error"
      })
    }
  }
}

resource "aws_lambda_permission" "http_api" {
  count = local.http_api_front ? 1 : 0

  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this[0].execution_arn}/*/*"
}
