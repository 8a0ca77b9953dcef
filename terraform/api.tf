# The REST API front (front = "rest"): with another front none of this file is created.

resource "aws_api_gateway_rest_api" "this" {
  count = local.rest_front ? 1 : 0

  name        = local.api_name
  description = "Async request router: POST /v1/invoke, GET and DELETE /v1/status/{request_id} and its /events, GET /v1/requests, GET /v1/webhook-secret."

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    precondition {
      condition     = local.auth != "iam"
      error_message = "auth = \"iam\" needs front = \"function_url\" (authorization AWS_IAM) or front = \"http_api\" (AWS_IAM routes): this REST API does not check SigV4 signatures. Pick one of those fronts, or auth = \"api_key\" or \"jwt\" here."
    }

    precondition {
      condition     = var.api_key_required != true || local.auth == "api_key"
      error_message = "api_key_required = true goes with auth = \"api_key\" only: with auth = \"${coalesce(local.auth, "-")}\" callers are identified otherwise. Remove api_key_required, or set auth = \"api_key\"."
    }
  }
}

resource "aws_api_gateway_resource" "v1" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_rest_api.this[0].root_resource_id
  path_part   = "v1"
}

resource "aws_api_gateway_resource" "invoke" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_resource.v1[0].id
  path_part   = "invoke"
}

resource "aws_api_gateway_resource" "status" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_resource.v1[0].id
  path_part   = "status"
}

resource "aws_api_gateway_resource" "request" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_resource.status[0].id
  path_part   = "{request_id}"
}

resource "aws_api_gateway_resource" "requests" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_resource.v1[0].id
  path_part   = "requests"
}

resource "aws_api_gateway_resource" "webhook_secret" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_resource.v1[0].id
  path_part   = "webhook-secret"
}

resource "aws_api_gateway_resource" "proxy" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_rest_api.this[0].root_resource_id
  path_part   = "{proxy+}"
}

locals {
  api_resource_ids = local.rest_front ? {
    "/"                       = aws_api_gateway_rest_api.this[0].root_resource_id
    "/v1"                     = aws_api_gateway_resource.v1[0].id
    "/v1/invoke"              = aws_api_gateway_resource.invoke[0].id
    "/v1/status"              = aws_api_gateway_resource.status[0].id
    "/v1/status/{request_id}" = aws_api_gateway_resource.request[0].id
    "/v1/requests"            = aws_api_gateway_resource.requests[0].id
    "/v1/webhook-secret"      = aws_api_gateway_resource.webhook_secret[0].id
    "/{proxy+}"               = aws_api_gateway_resource.proxy[0].id
  } : {}

  # Every route goes to the function: it answers the real methods, and also preflights (OPTIONS,
  # with the configured CORS origins), unknown paths (404) and wrong methods (405 + Allow).
  # API Gateway prefers an explicit method over ANY and an explicit path over {proxy+}, so the
  # ANY methods only catch what nothing else matches. "/", "/v1" and "/v1/status" get ANY too:
  # /{proxy+} never matches "/", and a resource without methods would get API Gateway's own 403
  # ("Missing Authentication Token") instead of the function's 404.
  # With api_key_required (or a Cognito authorizer), every method but the OPTIONS preflights
  # (browsers send no key or token with them) needs the key (or a token), the catch-alls included:
  # the function routes by resource only, so a {proxy+} call never reaches a v1 handler, and
  # without a key (or token) it does not reach the function.
  api_routes = {
    "POST /v1/invoke"                 = { path = "/v1/invoke", method = "POST" }
    "OPTIONS /v1/invoke"              = { path = "/v1/invoke", method = "OPTIONS" }
    "ANY /v1/invoke"                  = { path = "/v1/invoke", method = "ANY" }
    "GET /v1/status/{request_id}"     = { path = "/v1/status/{request_id}", method = "GET" }
    "DELETE /v1/status/{request_id}"  = { path = "/v1/status/{request_id}", method = "DELETE" }
    "OPTIONS /v1/status/{request_id}" = { path = "/v1/status/{request_id}", method = "OPTIONS" }
    "ANY /v1/status/{request_id}"     = { path = "/v1/status/{request_id}", method = "ANY" }
    "GET /v1/requests"                = { path = "/v1/requests", method = "GET" }
    "OPTIONS /v1/requests"            = { path = "/v1/requests", method = "OPTIONS" }
    "ANY /v1/requests"                = { path = "/v1/requests", method = "ANY" }
    "GET /v1/webhook-secret"          = { path = "/v1/webhook-secret", method = "GET" }
    "OPTIONS /v1/webhook-secret"      = { path = "/v1/webhook-secret", method = "OPTIONS" }
    "ANY /v1/webhook-secret"          = { path = "/v1/webhook-secret", method = "ANY" }
    "ANY /"                           = { path = "/", method = "ANY" }
    "ANY /v1"                         = { path = "/v1", method = "ANY" }
    "ANY /v1/status"                  = { path = "/v1/status", method = "ANY" }
    "ANY /{proxy+}"                   = { path = "/{proxy+}", method = "ANY" }
  }
}

resource "aws_api_gateway_method" "route" {
  for_each = local.rest_front ? merge(local.api_routes, local.events_routes) : {}

  rest_api_id      = aws_api_gateway_rest_api.this[0].id
  resource_id      = merge(local.api_resource_ids, local.events_resource_ids)[each.value.path]
  http_method      = each.value.method
  authorization    = local.cognito_authorizer && each.value.method != "OPTIONS" ? "COGNITO_USER_POOLS" : "NONE"
  authorizer_id    = local.cognito_authorizer && each.value.method != "OPTIONS" ? aws_api_gateway_authorizer.cognito[0].id : null
  api_key_required = local.api_key_required && each.value.method != "OPTIONS"
}

# auth = "jwt" with a Cognito user pool: API Gateway verifies the token (an ID token, whose aud is
# the app client id) before the function runs, and hands the function its claims.
resource "aws_api_gateway_authorizer" "cognito" {
  count = local.cognito_authorizer ? 1 : 0

  name            = "${local.api_name}-cognito"
  rest_api_id     = aws_api_gateway_rest_api.this[0].id
  type            = "COGNITO_USER_POOLS"
  provider_arns   = [local.user_pool_arn]
  identity_source = "method.request.header.Authorization"
}

resource "aws_api_gateway_integration" "route" {
  for_each = aws_api_gateway_method.route

  rest_api_id             = aws_api_gateway_rest_api.this[0].id
  resource_id             = each.value.resource_id
  http_method             = each.value.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.this.invoke_arn
}

# API Gateway's own errors (403 missing or wrong key, 401 no or bad token, 429 throttled or over
# quota, 504 timeout) never reach the function, so they get their CORS headers here. The Cognito
# authorizer's 401 also says which scheme to use (RFC 6750), as the function's own 401 does.
locals {
  gateway_response_types = concat(["DEFAULT_4XX", "DEFAULT_5XX"], local.cognito_authorizer ? ["UNAUTHORIZED"] : [])
}

resource "aws_api_gateway_gateway_response" "cors" {
  for_each = local.rest_front ? toset(local.gateway_response_types) : toset([])

  rest_api_id   = aws_api_gateway_rest_api.this[0].id
  response_type = each.key

  response_parameters = merge(
    {
      "gatewayresponse.header.Access-Control-Allow-Origin"   = "'${local.gateway_response_allow_origin}'"
      "gatewayresponse.header.Access-Control-Expose-Headers" = "'${local.cors_expose_headers}'"
    },
    each.key == "UNAUTHORIZED" ? { "gatewayresponse.header.WWW-Authenticate" = "'Bearer'" } : {},
  )
}

resource "aws_api_gateway_deployment" "this" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id

  # A deployment is a snapshot: redeploy whenever a route, its settings (such as
  # api_key_required) or a gateway response changes.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.v1,
      aws_api_gateway_resource.invoke,
      aws_api_gateway_resource.status,
      aws_api_gateway_resource.request,
      aws_api_gateway_resource.requests,
      aws_api_gateway_resource.webhook_secret,
      aws_api_gateway_resource.proxy,
      aws_api_gateway_authorizer.cognito,
      aws_api_gateway_resource.events,
      aws_cloudcontrolapi_resource.streaming_route,
      aws_api_gateway_method.route,
      aws_api_gateway_integration.route,
      aws_api_gateway_gateway_response.cors,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

# The API's access logs, REST API or HTTP API (whose stage, $default, cannot be part of a log group's name).
resource "aws_cloudwatch_log_group" "access" {
  count = (local.rest_front || local.http_api_front) && var.access_logging_enabled ? 1 : 0

  name              = "/aws/apigateway/${local.api_name}/${local.rest_front ? var.stage_name : "http"}/access"
  retention_in_days = var.log_retention_days
}

resource "aws_api_gateway_stage" "this" {
  count = local.rest_front ? 1 : 0

  rest_api_id   = aws_api_gateway_rest_api.this[0].id
  deployment_id = aws_api_gateway_deployment.this[0].id
  stage_name    = var.stage_name

  # Needs the account-level CloudWatch role (aws_api_gateway_account) in this region; see README
  # and create_api_gateway_account_role, whose setting must exist before the stage is updated.
  dynamic "access_log_settings" {
    for_each = aws_cloudwatch_log_group.access

    content {
      destination_arn = access_log_settings.value.arn
      format = jsonencode({
        requestId          = "$context.requestId"
        ip                 = "$context.identity.sourceIp"
        requestTime        = "$context.requestTime"
        httpMethod         = "$context.httpMethod"
        resourcePath       = "$context.resourcePath"
        path               = "$context.path"
        status             = "$context.status"
        responseLength     = "$context.responseLength"
        integrationLatency = "$context.integration.latency"
        integrationStatus  = "$context.integration.status"
        errorMessage       = "$context.error.message"
        apiKeyId           = "$context.identity.apiKeyId"
      })
    }
  }

  depends_on = [aws_api_gateway_account.this]
}

# Default limits for every method of the stage ("*/*"): each method gets its own rate and burst,
# so this is a per-method limit, not a total for the API. A usage plan (api_key_required) adds a
# total per key.
resource "aws_api_gateway_method_settings" "this" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  stage_name  = aws_api_gateway_stage.this[0].stage_name
  method_path = "*/*"

  settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }
}

resource "aws_lambda_permission" "api" {
  count = local.rest_front ? 1 : 0

  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/*/*"
}

resource "aws_api_gateway_usage_plan" "this" {
  count = local.api_key_required ? 1 : 0

  name        = "${local.api_name}-default"
  description = "Quota and throttle for the ${local.api_name} API key."

  api_stages {
    api_id = aws_api_gateway_rest_api.this[0].id
    stage  = aws_api_gateway_stage.this[0].stage_name
  }

  quota_settings {
    limit  = var.api_key_quota_limit
    period = var.api_key_quota_period
  }

  throttle_settings {
    burst_limit = var.api_key_throttle_burst_limit
    rate_limit  = var.api_key_throttle_rate_limit
  }
}

resource "aws_api_gateway_api_key" "this" {
  count = local.api_key_required ? 1 : 0

  name    = "${local.api_name}-default"
  enabled = true
}

resource "aws_api_gateway_usage_plan_key" "this" {
  count = local.api_key_required ? 1 : 0

  key_id        = aws_api_gateway_api_key.this[0].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[0].id
}
