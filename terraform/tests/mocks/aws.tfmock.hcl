# Mock AWS used by every test file: a fixed account, region and partition, and fixed ids for
# the values the assertions compare (function ARNs, the API's ids, the stage URL).

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

# The provider checks that policies are JSON; the real document is asserted through its
# statement blocks in plan.tftest.hcl, so any valid document will do here.
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:async-router"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:async-router/invocations"
  }
}

mock_resource "aws_api_gateway_rest_api" {
  defaults = {
    id               = "a1b2c3d4e5"
    root_resource_id = "rootid0001"
    execution_arn    = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5"
  }
}

mock_resource "aws_api_gateway_stage" {
  defaults = {
    invoke_url = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/api"
  }
}

# Empty mocks still generate distinct random ids, ARNs and values at plan time.
mock_resource "aws_api_gateway_resource" {}
mock_resource "aws_api_gateway_method" {}
mock_resource "aws_api_gateway_integration" {}
mock_resource "aws_api_gateway_gateway_response" {}
mock_resource "aws_api_gateway_deployment" {}
mock_resource "aws_api_gateway_usage_plan" {}
mock_resource "aws_api_gateway_api_key" {}
mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/async-router-function"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mocked"
  }
}

mock_resource "aws_lambda_function_url" {
  defaults = {
    function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/"
  }
}

mock_resource "aws_cloudcontrolapi_resource" {}
mock_resource "aws_lambda_permission" {}
mock_resource "aws_api_gateway_account" {}
mock_resource "aws_iam_role_policy_attachment" {}
