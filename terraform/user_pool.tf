# create_user_pool = true (with auth = "jwt"): a Cognito user pool for a web page's users, a public
# app client (a browser keeps no secret: authorization code with PKCE) and the hosted UI's domain.
# The pool is the issuer, the app client id the audience (auth.tf).

locals {
  user_pool_domain_prefix = coalesce(var.user_pool_domain_prefix, lower("${var.name}-${data.aws_caller_identity.current.account_id}"))
  user_pool_hosted_ui_url = "https://${local.user_pool_domain_prefix}.auth.${data.aws_region.current.name}.amazoncognito.com"
}

resource "aws_cognito_user_pool" "this" {
  count = var.create_user_pool ? 1 : 0

  name                     = "${var.name}-users"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]

  # The users are what this pool holds: protected like the requests table.
  deletion_protection = var.deletion_protection_enabled ? "ACTIVE" : "INACTIVE"

  admin_create_user_config {
    allow_admin_create_user_only = !var.user_pool_self_sign_up
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  lifecycle {
    precondition {
      condition     = !can(regex("aws|amazon|cognito", local.user_pool_domain_prefix))
      error_message = "The hosted UI's domain prefix ${local.user_pool_domain_prefix} contains aws, amazon or cognito, which Cognito refuses: set user_pool_domain_prefix."
    }
  }
}

resource "aws_cognito_user_pool_client" "this" {
  count = var.create_user_pool ? 1 : 0

  name         = "${var.name}-web"
  user_pool_id = aws_cognito_user_pool.this[0].id

  # Public: a page's code is readable by anyone, so it holds no secret. The page proves it started
  # the sign-in with PKCE (code_challenge), which Cognito's code flow takes with no setting here.
  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "profile"]
  callback_urls                        = var.user_pool_callback_urls
  logout_urls                          = var.user_pool_callback_urls
  supported_identity_providers         = ["COGNITO"]
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true
}

resource "aws_cognito_user_pool_domain" "this" {
  count = var.create_user_pool ? 1 : 0

  domain       = local.user_pool_domain_prefix
  user_pool_id = aws_cognito_user_pool.this[0].id
}
