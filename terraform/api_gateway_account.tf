# API Gateway writes access logs (and execution logs) only through the role set in the account's
# API Gateway settings. That setting is one per account and region, shared by every API there, so
# it is created only on request (create_api_gateway_account_role): applying it replaces a role
# another stack may have set, and destroying it resets the setting.

data "aws_iam_policy_document" "api_gateway_assume_role" {
  count = var.create_api_gateway_account_role ? 1 : 0

  statement {
    sid     = "ApiGatewayAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.create_api_gateway_account_role ? 1 : 0

  name               = "${var.name}-apigateway-cloudwatch"
  description        = "Account-wide role API Gateway uses to write CloudWatch logs in this region (set by ${var.name})."
  assume_role_policy = data.aws_iam_policy_document.api_gateway_assume_role[0].json
}

# The AWS managed policy made for exactly this role: it lets API Gateway create and write the log
# groups of any API in the account, which is what an account-wide setting needs.
resource "aws_iam_role_policy_attachment" "api_gateway_cloudwatch" {
  count = var.create_api_gateway_account_role ? 1 : 0

  role       = aws_iam_role.api_gateway_cloudwatch[0].name
  policy_arn = "${local.arn_prefix}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.create_api_gateway_account_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn

  # Without this, destroying leaves the account pointing at the deleted role. hashicorp/aws 5.x
  # warns that it is deprecated (6.x resets on delete by default; drop it there); written as a
  # conditional so the warning shows only in plans that create the setting.
  reset_on_delete = var.create_api_gateway_account_role ? true : null

  depends_on = [aws_iam_role_policy_attachment.api_gateway_cloudwatch]
}
