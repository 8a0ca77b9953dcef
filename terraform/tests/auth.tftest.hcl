# auth = "api_key" | "jwt" | "iam" | "none" on each front: every allowed combination plans with the
# right front-side checks and the function environment that matches them (AUTH, JWT_ISSUER,
# JWT_AUDIENCE); every refused combination stops the plan with its message.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

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
  mock_resource "aws_api_gateway_authorizer" {}
}

variables {
  # Public fronts need a cap and a callback allow-list (safe_defaults.tftest.hcl); set here once.
  reserved_concurrency   = 10
  callback_allowed_hosts = ["hooks.example.com"]
}

# ---- front = "rest" ----------------------------------------------------------------------------

run "rest_api_key_is_the_default" {
  command = plan

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["AUTH"] == "api_key" &&
      one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "" &&
      one(aws_lambda_function.this.environment).variables["JWT_AUDIENCE"] == ""
    )
    error_message = "With no variables the function must run with AUTH=api_key and no issuer or audience."
  }

  assert {
    condition     = alltrue([for key, method in aws_api_gateway_method.route : method.authorization == "NONE" && method.api_key_required == (method.http_method != "OPTIONS")])
    error_message = "auth = api_key must require the key on every method but the preflights, with no authorizer."
  }

  assert {
    condition     = length(aws_api_gateway_authorizer.cognito) == 0 && length(aws_cognito_user_pool.this) == 0
    error_message = "auth = api_key must create no authorizer and no user pool."
  }

  assert {
    condition     = output.auth.mode == "api_key" && output.auth.issuer == null && output.auth.audience == null && output.user_pool == null
    error_message = "The auth output must say api_key, with no issuer, audience or user pool."
  }
}

run "rest_jwt_verified_by_the_function" {
  command = plan

  variables {
    auth         = "jwt"
    jwt_issuer   = "https://example.eu.auth0.com/"
    jwt_audience = "https://api.example.com"
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["AUTH"] == "jwt" &&
      one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "https://example.eu.auth0.com/" &&
      one(aws_lambda_function.this.environment).variables["JWT_AUDIENCE"] == "https://api.example.com"
    )
    error_message = "The function must get AUTH=jwt with the issuer and audience, since it verifies the token itself."
  }

  assert {
    condition     = alltrue([for key, method in aws_api_gateway_method.route : method.authorization == "NONE" && !method.api_key_required])
    error_message = "Without a user pool the REST methods must have no authorizer and no key: the function verifies the bearer token."
  }

  assert {
    condition     = length(aws_api_gateway_authorizer.cognito) == 0 && length(aws_api_gateway_api_key.this) == 0 && length(aws_api_gateway_usage_plan.this) == 0
    error_message = "auth = jwt must create no API key, usage plan or authorizer when no user pool is given."
  }

  assert {
    condition     = output.auth.mode == "jwt" && output.auth.verified_by == "function" && output.auth.issuer == "https://example.eu.auth0.com/" && output.auth.audience == "https://api.example.com"
    error_message = "The auth output must say jwt, verified by the function, with the issuer and audience."
  }
}

run "rest_jwt_with_a_cognito_authorizer" {
  command = plan

  variables {
    auth                  = "jwt"
    cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Pool12345"
    jwt_audience          = "3abcdefghijklmnopqrstuvwx"
  }

  assert {
    condition = (
      length(aws_api_gateway_authorizer.cognito) == 1 &&
      aws_api_gateway_authorizer.cognito[0].type == "COGNITO_USER_POOLS" &&
      jsonencode(tolist(aws_api_gateway_authorizer.cognito[0].provider_arns)) == jsonencode(["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Pool12345"]) &&
      aws_api_gateway_authorizer.cognito[0].identity_source == "method.request.header.Authorization" &&
      aws_api_gateway_authorizer.cognito[0].rest_api_id == aws_api_gateway_rest_api.this[0].id
    )
    error_message = "cognito_user_pool_arn must give the REST API one Cognito authorizer on that pool, reading the Authorization header."
  }

  assert {
    condition = alltrue([for key, method in aws_api_gateway_method.route :
      method.http_method == "OPTIONS" ? (method.authorization == "NONE" && method.authorizer_id == null) : (method.authorization == "COGNITO_USER_POOLS" && method.authorizer_id == aws_api_gateway_authorizer.cognito[0].id)
    ])
    error_message = "Every method but the preflights must use the Cognito authorizer (browsers send no token with a preflight)."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["AUTH"] == "jwt" &&
      one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool12345" &&
      one(aws_lambda_function.this.environment).variables["JWT_AUDIENCE"] == "3abcdefghijklmnopqrstuvwx"
    )
    error_message = "The function must get the pool's issuer (derived from its ARN) and the app client id as audience."
  }

  assert {
    condition     = contains(keys(aws_api_gateway_gateway_response.cors), "UNAUTHORIZED") && aws_api_gateway_gateway_response.cors["UNAUTHORIZED"].response_parameters["gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"
    error_message = "The authorizer's own 401 must carry WWW-Authenticate: Bearer (and CORS headers)."
  }

  assert {
    condition     = output.auth.verified_by == "front" && output.auth.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool12345"
    error_message = "The auth output must say the front verifies tokens, and name the pool's issuer."
  }
}

run "rest_jwt_with_a_created_user_pool" {
  command = plan

  variables {
    auth             = "jwt"
    create_user_pool = true
  }

  assert {
    condition = (
      length(aws_cognito_user_pool.this) == 1 && length(aws_cognito_user_pool_client.this) == 1 && length(aws_cognito_user_pool_domain.this) == 1 &&
      jsonencode(tolist(aws_api_gateway_authorizer.cognito[0].provider_arns)) == jsonencode([aws_cognito_user_pool.this[0].arn])
    )
    error_message = "create_user_pool must create a pool, its app client and hosted UI domain, and point the REST authorizer at the pool."
  }

  assert {
    condition = (
      !aws_cognito_user_pool_client.this[0].generate_secret &&
      jsonencode(tolist(aws_cognito_user_pool_client.this[0].allowed_oauth_flows)) == jsonencode(["code"]) &&
      aws_cognito_user_pool_client.this[0].allowed_oauth_flows_user_pool_client &&
      contains(aws_cognito_user_pool_client.this[0].allowed_oauth_scopes, "openid") &&
      jsonencode(tolist(aws_cognito_user_pool_client.this[0].callback_urls)) == jsonencode(["http://localhost:3000/"]) &&
      jsonencode(tolist(aws_cognito_user_pool_client.this[0].supported_identity_providers)) == jsonencode(["COGNITO"])
    )
    error_message = "The app client must be public (no secret) with the authorization-code flow (PKCE), openid, and the default local callback URL."
  }

  assert {
    condition     = one(aws_cognito_user_pool.this[0].admin_create_user_config).allow_admin_create_user_only
    error_message = "By default nobody may sign themselves up: the operator creates the users."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" &&
      one(aws_lambda_function.this.environment).variables["JWT_AUDIENCE"] == "1example23456789client0id"
    )
    error_message = "The created pool must supply the issuer and the app client id as audience."
  }

  assert {
    condition = (
      output.user_pool.id == "eu-west-1_AbCdEf123" &&
      output.user_pool.client_id == "1example23456789client0id" &&
      output.user_pool.hosted_ui_url == "https://async-router-123456789012.auth.eu-west-1.amazoncognito.com" &&
      output.user_pool.authorize_url == "https://async-router-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/authorize" &&
      output.user_pool.token_url == "https://async-router-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token" &&
      output.auth.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" &&
      output.auth.audience == "1example23456789client0id"
    )
    error_message = "The outputs must give the demo page the pool, its client id, hosted UI URLs, issuer and audience."
  }
}

run "rest_none_lets_anyone_call" {
  command = plan

  variables {
    auth = "none"
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["AUTH"] == "none" && length(aws_api_gateway_api_key.this) == 0
    error_message = "auth = none must create no key and tell the function."
  }
}

run "rest_refuses_iam" {
  command = plan

  variables {
    auth = "iam"
  }

  expect_failures = [aws_api_gateway_rest_api.this]
}

run "rest_refuses_a_key_with_jwt" {
  command = plan

  variables {
    auth             = "jwt"
    jwt_issuer       = "https://example.eu.auth0.com/"
    jwt_audience     = "https://api.example.com"
    api_key_required = true
  }

  expect_failures = [aws_api_gateway_rest_api.this]
}

# ---- front = "function_url" --------------------------------------------------------------------

run "function_url_iam_by_default" {
  command = plan

  variables {
    front = "function_url"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "AWS_IAM" && one(aws_lambda_function.this.environment).variables["AUTH"] == "iam"
    error_message = "front = function_url alone must keep AWS_IAM, and the function must know it (AUTH=iam)."
  }
}

run "function_url_iam" {
  command = plan

  variables {
    front = "function_url"
    auth  = "iam"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "AWS_IAM" && length(aws_lambda_permission.function_url_public) == 0
    error_message = "auth = iam must make the URL AWS_IAM, with nothing granted to the public."
  }
}

run "function_url_jwt" {
  command = plan

  variables {
    front        = "function_url"
    auth         = "jwt"
    jwt_issuer   = "https://login.example.com/realms/app"
    jwt_audience = "router"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "NONE" && length(aws_lambda_permission.function_url_public) == 1
    error_message = "auth = jwt must make the URL public (NONE): the function verifies the token."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["AUTH"] == "jwt" &&
      one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "https://login.example.com/realms/app" &&
      one(aws_lambda_function.this.environment).variables["JWT_AUDIENCE"] == "router" &&
      output.auth.verified_by == "function"
    )
    error_message = "The function must verify the token itself against the issuer and audience."
  }
}

run "function_url_jwt_with_a_created_pool" {
  command = plan

  variables {
    front            = "function_url"
    auth             = "jwt"
    create_user_pool = true
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["JWT_ISSUER"] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" && length(aws_api_gateway_authorizer.cognito) == 0
    error_message = "A created pool must be the function's issuer on a function URL, with no REST authorizer."
  }
}

run "function_url_none" {
  command = plan

  variables {
    front = "function_url"
    auth  = "none"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "NONE" && one(aws_lambda_function.this.environment).variables["AUTH"] == "none"
    error_message = "auth = none must make the URL public and tell the function."
  }
}

run "function_url_keeps_the_old_none_setting" {
  command = plan

  variables {
    front                  = "function_url"
    function_url_auth_type = "NONE"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "NONE" && one(aws_lambda_function.this.environment).variables["AUTH"] == "none"
    error_message = "function_url_auth_type = NONE without auth must plan as before (a public URL), with AUTH=none."
  }
}

run "function_url_refuses_api_key" {
  command = plan

  variables {
    front = "function_url"
    auth  = "api_key"
  }

  expect_failures = [aws_lambda_function_url.this]
}

run "function_url_refuses_jwt_behind_iam" {
  command = plan

  variables {
    front                  = "function_url"
    auth                   = "jwt"
    jwt_issuer             = "https://login.example.com/realms/app"
    jwt_audience           = "router"
    function_url_auth_type = "AWS_IAM"
  }

  expect_failures = [aws_lambda_function_url.this]
}

run "function_url_refuses_iam_on_a_public_url" {
  command = plan

  variables {
    front                  = "function_url"
    auth                   = "iam"
    function_url_auth_type = "NONE"
  }

  expect_failures = [aws_lambda_function_url.this]
}

# ---- auth = "jwt": where the issuer and audience come from ---------------------------------------

run "jwt_needs_an_issuer" {
  command = plan

  variables {
    auth         = "jwt"
    jwt_audience = "router"
  }

  expect_failures = [aws_lambda_function.this]
}

run "jwt_needs_an_audience" {
  command = plan

  variables {
    auth       = "jwt"
    jwt_issuer = "https://example.eu.auth0.com/"
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_pool_arn_still_needs_the_client_id" {
  command = plan

  variables {
    auth                  = "jwt"
    cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Pool12345"
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_created_pool_and_a_pool_arn_conflict" {
  command = plan

  variables {
    auth                  = "jwt"
    create_user_pool      = true
    cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Pool12345"
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_created_pool_supplies_the_issuer" {
  command = plan

  variables {
    auth             = "jwt"
    create_user_pool = true
    jwt_issuer       = "https://example.eu.auth0.com/"
  }

  expect_failures = [aws_lambda_function.this]
}

run "jwt_settings_need_auth_jwt" {
  command = plan

  variables {
    jwt_issuer   = "https://example.eu.auth0.com/"
    jwt_audience = "router"
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_user_pool_needs_auth_jwt" {
  command = plan

  variables {
    create_user_pool = true
  }

  expect_failures = [aws_lambda_function.this]
}

# ---- the variables' own validation ----------------------------------------------------------------

run "rejects_an_unknown_auth" {
  command = plan
  variables { auth = "cognito" }
  expect_failures = [var.auth]
}

run "rejects_a_plain_http_issuer" {
  command = plan
  variables { jwt_issuer = "http://example.eu.auth0.com/" }
  expect_failures = [var.jwt_issuer]
}

run "rejects_an_issuer_with_a_query" {
  command = plan
  variables { jwt_issuer = "https://example.eu.auth0.com/?tenant=x" }
  expect_failures = [var.jwt_issuer]
}

run "rejects_two_audiences" {
  command = plan
  variables { jwt_audience = "a,b" }
  expect_failures = [var.jwt_audience]
}

run "rejects_a_pool_alias_for_an_arn" {
  command = plan
  variables { cognito_user_pool_arn = "eu-west-1_Pool12345" }
  expect_failures = [var.cognito_user_pool_arn]
}

run "rejects_a_plain_http_callback_off_localhost" {
  command = plan
  variables { user_pool_callback_urls = ["http://app.example.com/"] }
  expect_failures = [var.user_pool_callback_urls]
}

run "rejects_a_domain_prefix_cognito_refuses" {
  command = plan
  variables { user_pool_domain_prefix = "my-aws-router" }
  expect_failures = [var.user_pool_domain_prefix]
}
