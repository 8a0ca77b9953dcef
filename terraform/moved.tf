# The REST API resources became conditional (count on var.front). A deployment made before that
# keeps its API (and URL): its objects move to instance [0]. Terraform does this by itself when a
# resource gains count; these blocks say so explicitly.

moved {
  from = aws_api_gateway_rest_api.this
  to   = aws_api_gateway_rest_api.this[0]
}

moved {
  from = aws_api_gateway_resource.v1
  to   = aws_api_gateway_resource.v1[0]
}

moved {
  from = aws_api_gateway_resource.invoke
  to   = aws_api_gateway_resource.invoke[0]
}

moved {
  from = aws_api_gateway_resource.status
  to   = aws_api_gateway_resource.status[0]
}

moved {
  from = aws_api_gateway_resource.request
  to   = aws_api_gateway_resource.request[0]
}

moved {
  from = aws_api_gateway_resource.proxy
  to   = aws_api_gateway_resource.proxy[0]
}

moved {
  from = aws_api_gateway_deployment.this
  to   = aws_api_gateway_deployment.this[0]
}

moved {
  from = aws_api_gateway_stage.this
  to   = aws_api_gateway_stage.this[0]
}

moved {
  from = aws_api_gateway_method_settings.this
  to   = aws_api_gateway_method_settings.this[0]
}

moved {
  from = aws_lambda_permission.api
  to   = aws_lambda_permission.api[0]
}

# The secrets were terraform_data resources (values in the state) before they moved to SSM
# parameters (secrets.tf). Destroying one would print its value in the upgrade's plan
# (`- input = "whsec_..." -> null`); forgetting it prints only its address. The old values are
# not carried over: the parameters get new ones (README, "Upgrading: secrets moved to SSM").
removed {
  from = terraform_data.request_id_secret

  lifecycle {
    destroy = false
  }
}

removed {
  from = terraform_data.webhook_secret

  lifecycle {
    destroy = false
  }
}
