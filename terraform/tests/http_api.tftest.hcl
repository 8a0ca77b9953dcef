# front = "http_api": an API Gateway HTTP API (payload format 2.0) instead of the REST API, with a
# native JWT authorizer (auth = "jwt"), AWS_IAM routes (auth = "iam") or open routes (auth = "none").

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "h1t2p3a4p5"
      api_endpoint  = "https://h1t2p3a4p5.execute-api.eu-west-1.amazonaws.com"
      execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:h1t2p3a4p5"
    }
  }

  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id       = "eu-west-1_AbCdEf123"
      arn      = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"
      endpoint = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    }
  }

  mock_resource "aws_cognito_user_pool_client" {
    defaults = {
      id = "1example23456789client0id"
    }
  }

  # Empty mocks still generate distinct random ids at plan time.
  mock_resource "aws_apigatewayv2_integration" {}
  mock_resource "aws_apigatewayv2_authorizer" {}
  mock_resource "aws_apigatewayv2_route" {}
  mock_resource "aws_apigatewayv2_stage" {}
}

variables {
  front                  = "http_api"
  auth                   = "jwt"
  jwt_issuer             = "https://example.eu.auth0.com/"
  jwt_audience           = "https://api.example.com"
  callback_allowed_hosts = ["hooks.example.com"]
}

run "http_api_replaces_the_other_fronts" {
  command = plan

  assert {
    condition = (
      length(aws_apigatewayv2_api.this) == 1 && aws_apigatewayv2_api.this[0].protocol_type == "HTTP" &&
      length(aws_api_gateway_rest_api.this) == 0 && length(aws_api_gateway_method.route) == 0 &&
      length(aws_api_gateway_stage.this) == 0 && length(aws_api_gateway_api_key.this) == 0 &&
      length(aws_lambda_function_url.this) == 0 && length(aws_lambda_permission.api) == 0 &&
      length(aws_lambda_permission.function_url_public) == 0
    )
    error_message = "front = http_api must create one HTTP API and no REST API, key or function URL."
  }

  assert {
    condition = (
      output.front == "http_api" &&
      output.api_base_url == "https://h1t2p3a4p5.execute-api.eu-west-1.amazonaws.com" &&
      output.invoke_url == "https://h1t2p3a4p5.execute-api.eu-west-1.amazonaws.com/v1/invoke" &&
      output.status_url_template == "https://h1t2p3a4p5.execute-api.eu-west-1.amazonaws.com/v1/status/{request_id}" &&
      output.api_execution_arn == "arn:aws:execute-api:eu-west-1:123456789012:h1t2p3a4p5" &&
      output.api_key == null
    )
    error_message = "The URL outputs must be the HTTP API's endpoint ($default stage: no stage path), with no key."
  }
}

run "http_api_sends_every_route_to_the_function" {
  command = plan

  assert {
    condition = jsonencode(sort(keys(aws_apigatewayv2_route.this))) == jsonencode(sort([
      "POST /v1/invoke",
      "GET /v1/status/{request_id}", "DELETE /v1/status/{request_id}",
      "GET /v1/status/{request_id}/events",
      "GET /v1/requests", "GET /v1/webhook-secret",
      "OPTIONS /{proxy+}", "$default",
    ]))
    error_message = "Unexpected set of HTTP API routes."
  }

  assert {
    condition = (
      aws_apigatewayv2_integration.this[0].integration_type == "AWS_PROXY" &&
      aws_apigatewayv2_integration.this[0].integration_uri == aws_lambda_function.this.invoke_arn &&
      aws_apigatewayv2_integration.this[0].payload_format_version == "2.0" &&
      alltrue([for key, route in aws_apigatewayv2_route.this : route.target == "integrations/${aws_apigatewayv2_integration.this[0].id}" && route.route_key == key])
    )
    error_message = "Every route must reach the function through one Lambda proxy integration with payload format 2.0."
  }

  assert {
    condition = (
      aws_lambda_permission.http_api[0].principal == "apigateway.amazonaws.com" &&
      aws_lambda_permission.http_api[0].action == "lambda:InvokeFunction" &&
      aws_lambda_permission.http_api[0].function_name == aws_lambda_function.this.function_name &&
      aws_lambda_permission.http_api[0].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:h1t2p3a4p5/*/*"
    )
    error_message = "Only this HTTP API may invoke the function."
  }
}

run "http_api_verifies_tokens_with_a_jwt_authorizer" {
  command = plan

  assert {
    condition = (
      aws_apigatewayv2_authorizer.jwt[0].authorizer_type == "JWT" &&
      jsonencode(tolist(aws_apigatewayv2_authorizer.jwt[0].identity_sources)) == jsonencode(["$request.header.Authorization"]) &&
      one(aws_apigatewayv2_authorizer.jwt[0].jwt_configuration).issuer == "https://example.eu.auth0.com/" &&
      jsonencode(tolist(one(aws_apigatewayv2_authorizer.jwt[0].jwt_configuration).audience)) == jsonencode(["https://api.example.com"])
    )
    error_message = "auth = jwt must give the HTTP API a JWT authorizer on the Authorization header, with the issuer and audience."
  }

  assert {
    condition = alltrue([for key, route in aws_apigatewayv2_route.this :
      key == "OPTIONS /{proxy+}" ? (route.authorization_type == "NONE" && route.authorizer_id == null) : (route.authorization_type == "JWT" && route.authorizer_id == aws_apigatewayv2_authorizer.jwt[0].id)
    ])
    error_message = "Every route but the preflights' must use the JWT authorizer."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["AUTH"] == "jwt" &&
      one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "https://example.eu.auth0.com/" &&
      one(aws_lambda_function.this.environment).variables["JWT_AUDIENCE"] == "https://api.example.com" &&
      output.auth.verified_by == "front"
    )
    error_message = "The function must still know the issuer and audience (AUTH=jwt), while the front verifies."
  }
}

run "http_api_with_a_created_pool" {
  command = plan

  variables {
    jwt_issuer       = null
    jwt_audience     = null
    create_user_pool = true
  }

  assert {
    condition = (
      one(aws_apigatewayv2_authorizer.jwt[0].jwt_configuration).issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" &&
      jsonencode(tolist(one(aws_apigatewayv2_authorizer.jwt[0].jwt_configuration).audience)) == jsonencode(["1example23456789client0id"])
    )
    error_message = "A created pool must be the JWT authorizer's issuer, its app client the audience."
  }
}

run "http_api_cors_matches_the_function" {
  command = plan

  variables {
    cors_allow_origins = ["https://app.example.com"]
  }

  assert {
    condition = (
      jsonencode(sort(tolist(one(aws_apigatewayv2_api.this[0].cors_configuration).allow_origins))) == jsonencode(["https://app.example.com"]) &&
      jsonencode(sort(tolist(one(aws_apigatewayv2_api.this[0].cors_configuration).allow_methods))) == jsonencode(["DELETE", "GET", "POST"]) &&
      jsonencode(sort(tolist(one(aws_apigatewayv2_api.this[0].cors_configuration).allow_headers))) == jsonencode(["authorization", "content-type", "idempotency-key", "x-api-key"]) &&
      jsonencode(sort(tolist(one(aws_apigatewayv2_api.this[0].cors_configuration).expose_headers))) == jsonencode(["location", "retry-after"]) &&
      one(aws_apigatewayv2_api.this[0].cors_configuration).max_age == 600 &&
      !one(aws_apigatewayv2_api.this[0].cors_configuration).allow_credentials
    )
    error_message = "The HTTP API's CORS must be the function's: the origins, methods and headers it allows and exposes."
  }
}

run "http_api_stage_throttles_and_deploys_itself" {
  command = plan

  variables {
    throttling_burst_limit = 20
    throttling_rate_limit  = 10
    access_logging_enabled = true
  }

  assert {
    condition = (
      aws_apigatewayv2_stage.this[0].name == "$default" && aws_apigatewayv2_stage.this[0].auto_deploy &&
      one(aws_apigatewayv2_stage.this[0].default_route_settings).throttling_burst_limit == 20 &&
      one(aws_apigatewayv2_stage.this[0].default_route_settings).throttling_rate_limit == 10
    )
    error_message = "The $default stage must deploy itself and throttle every route with the throttling variables."
  }

  assert {
    condition = (
      length(aws_cloudwatch_log_group.access) == 1 &&
      aws_cloudwatch_log_group.access[0].name == "/aws/apigateway/async-router/http/access" &&
      one(aws_apigatewayv2_stage.this[0].access_log_settings).destination_arn == aws_cloudwatch_log_group.access[0].arn &&
      jsondecode(one(aws_apigatewayv2_stage.this[0].access_log_settings).format).requestId == "$context.requestId" &&
      jsondecode(one(aws_apigatewayv2_stage.this[0].access_log_settings).format).authorizerError == "$context.authorizer.error"
    )
    error_message = "access_logging_enabled must write the HTTP API's access logs to their own log group, JSON lines with the request id."
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0
    error_message = "HTTP API access logs need no account-level API Gateway role."
  }
}

run "http_api_iam_routes" {
  command = plan

  variables {
    auth         = "iam"
    jwt_issuer   = null
    jwt_audience = null
  }

  assert {
    condition = alltrue([for key, route in aws_apigatewayv2_route.this :
      route.authorization_type == (key == "OPTIONS /{proxy+}" ? "NONE" : "AWS_IAM") && route.authorizer_id == null
    ])
    error_message = "auth = iam must make every route but the preflights' AWS_IAM."
  }

  assert {
    condition     = length(aws_apigatewayv2_authorizer.jwt) == 0 && one(aws_lambda_function.this.environment).variables["AUTH"] == "iam"
    error_message = "auth = iam must create no JWT authorizer and tell the function (AUTH=iam)."
  }
}

run "http_api_open_routes" {
  command = plan

  variables {
    auth         = "none"
    jwt_issuer   = null
    jwt_audience = null
  }

  assert {
    condition     = alltrue([for route in aws_apigatewayv2_route.this : route.authorization_type == "NONE"]) && one(aws_lambda_function.this.environment).variables["AUTH"] == "none"
    error_message = "auth = none must leave every route open and tell the function."
  }
}

run "http_api_refuses_api_keys" {
  command = plan

  variables {
    auth         = "api_key"
    jwt_issuer   = null
    jwt_audience = null
  }

  expect_failures = [aws_apigatewayv2_api.this]
}

run "http_api_needs_an_explicit_auth" {
  # No default is safe here: the HTTP API has no keys, and open routes must be asked for.
  command = plan

  variables {
    auth         = null
    jwt_issuer   = null
    jwt_audience = null
  }

  expect_failures = [aws_apigatewayv2_api.this]
}

run "http_api_refuses_api_key_required" {
  command = plan

  variables {
    api_key_required = true
  }

  expect_failures = [aws_apigatewayv2_api.this]
}
