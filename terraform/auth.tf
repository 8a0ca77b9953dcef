# Who may call the API (var.auth) and where their token is checked. The function is told the mode
# (AUTH) and, with auth = "jwt", the issuer and audience (JWT_ISSUER, JWT_AUDIENCE) in every case:
# where the front verified the token it reads the front's claims; where the front verifies nothing
# (a public function URL, the REST API without a Cognito authorizer) it verifies the token itself.
# Each front refuses the modes it cannot serve (api.tf, http_api.tf, function_url.tf); the function
# (lambda.tf) refuses an incomplete jwt setting.

locals {
  # null keeps what each front did before auth existed; an HTTP API has no safe default, so its
  # null stays null and the HTTP API refuses it.
  auth = var.auth != null ? var.auth : (
    local.rest_front ? "api_key" :
    local.function_url_front ? (var.function_url_auth_type == "NONE" ? "none" : "iam") :
    null
  )

  # A function URL is either IAM-only or public: public for jwt and none, where the function itself
  # decides (a bearer token it verifies, or anyone).
  function_url_auth_type = coalesce(var.function_url_auth_type, local.auth == "iam" || local.auth == null ? "AWS_IAM" : "NONE")

  jwt = local.auth == "jwt"

  # The Cognito user pool whose tokens the API accepts: created here, or given by ARN
  # (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>).
  user_pool_given = var.cognito_user_pool_arn != null
  user_pool_arn   = var.create_user_pool ? one(aws_cognito_user_pool.this[*].arn) : var.cognito_user_pool_arn
  user_pool_issuer = (
    var.create_user_pool ? "https://${one(aws_cognito_user_pool.this[*].endpoint)}" :
    local.user_pool_given ? "https://cognito-idp.${split(":", var.cognito_user_pool_arn)[3]}.${data.aws_partition.current.dns_suffix}/${split("/", var.cognito_user_pool_arn)[1]}" :
    null
  )

  # A created pool supplies both; a given pool the issuer; otherwise the variables.
  jwt_issuer   = local.user_pool_issuer != null ? local.user_pool_issuer : var.jwt_issuer
  jwt_audience = var.create_user_pool ? one(aws_cognito_user_pool_client.this[*].id) : var.jwt_audience

  # The fronts that verify tokens themselves: the HTTP API's JWT authorizer, and the REST API's
  # Cognito authorizer when there is a pool. The function URL never does.
  cognito_authorizer   = local.rest_front && local.jwt && (var.create_user_pool || local.user_pool_given)
  front_verifies_token = local.jwt && (local.http_api_front || local.cognito_authorizer)

  # What the function is told (src/config.ts: AUTH, JWT_ISSUER, JWT_AUDIENCE); "" reads as unset.
  auth_environment = {
    AUTH         = coalesce(local.auth, "api_key")
    JWT_ISSUER   = local.jwt && local.jwt_issuer != null ? local.jwt_issuer : ""
    JWT_AUDIENCE = local.jwt && local.jwt_audience != null ? local.jwt_audience : ""
  }

  # Why a jwt setting cannot work, or null when it can; checked by the function's precondition.
  jwt_setting_problem = (
    !local.jwt && (var.jwt_issuer != null || var.jwt_audience != null || local.user_pool_given || var.create_user_pool) ?
    "jwt_issuer, jwt_audience, cognito_user_pool_arn and create_user_pool are used only with auth = \"jwt\": set auth = \"jwt\", or remove them." :
    var.create_user_pool && local.user_pool_given ?
    "create_user_pool = true and cognito_user_pool_arn name two user pools: keep one." :
    var.create_user_pool && (var.jwt_issuer != null || var.jwt_audience != null) ?
    "create_user_pool = true supplies the issuer (the pool) and the audience (its app client id): remove jwt_issuer and jwt_audience." :
    local.user_pool_given && var.jwt_issuer != null && var.jwt_issuer != local.user_pool_issuer ?
    "cognito_user_pool_arn supplies the issuer (${coalesce(local.user_pool_issuer, "-")}); jwt_issuer names another: remove jwt_issuer." :
    local.jwt && local.jwt_issuer == null ?
    "auth = \"jwt\" needs an issuer and an audience: set jwt_issuer (the issuer's https URL, exactly as its tokens' iss) and jwt_audience, or cognito_user_pool_arn and jwt_audience (the app client id), or create_user_pool = true, which supplies both." :
    local.jwt && !var.create_user_pool && var.jwt_audience == null ?
    "auth = \"jwt\" needs jwt_audience, the one audience tokens must name in aud (for a Cognito pool, the app client id)." :
    null
  )
}
