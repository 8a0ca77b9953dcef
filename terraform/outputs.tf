output "front" {
  description = "Which front serves the API: \"rest\" (API Gateway REST API), \"http_api\" (API Gateway HTTP API) or \"function_url\" (Lambda function URL)."
  value       = var.front
}

output "api_base_url" {
  description = "Base URL of the API without a trailing slash: the stage URL (…/api) with front = rest, the API's endpoint (https://<id>.execute-api.<region>.amazonaws.com) with front = http_api, the function URL (https://<id>.lambda-url.<region>.on.aws) with front = function_url."
  value       = local.api_base_url
}

output "invoke_url" {
  description = "URL to POST a request to (<api_base_url>/v1/invoke)."
  value       = "${local.api_base_url}/v1/invoke"
}

output "status_url_template" {
  description = "URL template to GET or DELETE a request (<api_base_url>/v1/status/{request_id}); replace {request_id} with the id from the 202 answer."
  value       = "${local.api_base_url}/v1/status/{request_id}"
}

output "api_execution_arn" {
  description = "execute-api ARN of the API Gateway front (front = rest or http_api; null with function_url). With auth = \"iam\" on http_api, callers need execute-api:Invoke on <api_execution_arn>/*."
  value       = local.rest_front ? one(aws_api_gateway_rest_api.this[*].execution_arn) : one(aws_apigatewayv2_api.this[*].execution_arn)
}

output "auth" {
  description = "Who may call the API: mode (api_key, jwt, iam or none, as the function's AUTH), and with jwt the issuer and audience tokens must carry and which side verifies them (verified_by: \"front\" for the HTTP API's JWT authorizer or the REST API's Cognito authorizer, \"function\" otherwise)."
  value = {
    mode        = local.auth_environment.AUTH
    issuer      = local.jwt ? local.jwt_issuer : null
    audience    = local.jwt ? local.jwt_audience : null
    verified_by = local.jwt ? (local.front_verifies_token ? "front" : "function") : null
  }
}

output "user_pool" {
  description = "With create_user_pool: what a web page needs to sign users in with the hosted UI (authorization code with PKCE): the pool id, the app client id (the audience), the hosted UI's base URL and its authorize and token endpoints. null otherwise."
  value = var.create_user_pool ? {
    id            = one(aws_cognito_user_pool.this[*].id)
    client_id     = one(aws_cognito_user_pool_client.this[*].id)
    hosted_ui_url = local.user_pool_hosted_ui_url
    authorize_url = "${local.user_pool_hosted_ui_url}/oauth2/authorize"
    token_url     = "${local.user_pool_hosted_ui_url}/oauth2/token"
  } : null
}

output "table_name" {
  description = "Name of the DynamoDB table that holds the requests."
  value       = aws_dynamodb_table.this.name
}

output "results_bucket" {
  description = "Name of the S3 bucket that holds large results and task files (under requests/); nothing in it is public, clients get presigned URLs."
  value       = aws_s3_bucket.this.bucket
}

output "function_name" {
  description = "Name of the Lambda function (for logs: /aws/lambda/<function_name>)."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "api_key" {
  description = "Value of the API key to send as x-api-key (front = rest, unless api_key_required = false); null without keys. Read it with `terraform output -raw api_key`."
  value       = one(aws_api_gateway_api_key.this[*].value)
  sensitive   = true
}

output "secret_parameters" {
  description = "Names of the SSM SecureString parameters that hold the deployment's secrets (never their values). Read the webhook secret, for receivers, with `aws ssm get-parameter --with-decryption --name \"$(terraform output -json secret_parameters | jq -r .webhook)\" --query Parameter.Value --output text`."
  value = {
    request_id = aws_ssm_parameter.request_id_secret.name
    webhook    = aws_ssm_parameter.webhook_secret.name
  }
}

output "sweep_schedule" {
  description = "The sweeper's EventBridge Scheduler schedule, as <group>/<name>."
  value       = "${aws_scheduler_schedule.sweep.group_name}/${aws_scheduler_schedule.sweep.name}"
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms: failed_requests (metric Failed) and webhook_failures (metric WebhookFailures) on the function's own metrics; errors, throttles and async_events_dropped on Lambda's (AWS/Lambda)."
  value = merge(
    {
      failed_requests  = aws_cloudwatch_metric_alarm.failed_requests.alarm_name
      webhook_failures = aws_cloudwatch_metric_alarm.webhook_failures.alarm_name
    },
    { for key, alarm in aws_cloudwatch_metric_alarm.function : key => alarm.alarm_name },
  )
}
