# GET /v1/status/{request_id}/events (live output, text/event-stream) on the REST API, streamed:
# the integration's response transfer mode is STREAM, so API Gateway invokes the function with
# InvokeWithResponseStream and passes each event on as the function writes it (up to 15 minutes;
# see README "Live output"). hashicorp/aws 5.x has no argument for the transfer mode
# (aws_api_gateway_integration.response_transfer_mode came later), so this one method and its
# integration go through Cloud Control (AWS::ApiGateway::Method, Integration.ResponseTransferMode),
# as the function URL's public invoke permission does (function_url.tf). Its preflight and
# wrong-method catch-all are ordinary routes (events_routes, created with api.tf's). With a
# provider that has the argument, move the route into api_routes and set
# response_transfer_mode = "STREAM" on its integration.

locals {
  events_resource_ids = local.rest_front ? { "/v1/status/{request_id}/events" = aws_api_gateway_resource.events[0].id } : {}

  # The resource's buffered routes, created with api.tf's api_routes.
  events_routes = {
    "OPTIONS /v1/status/{request_id}/events" = { path = "/v1/status/{request_id}/events", method = "OPTIONS" }
    "ANY /v1/status/{request_id}/events"     = { path = "/v1/status/{request_id}/events", method = "ANY" }
  }

  # Routes whose answer API Gateway streams, in the same shape as api_routes.
  streaming_routes = {
    "GET /v1/status/{request_id}/events" = { path = "/v1/status/{request_id}/events", method = "GET" }
  }

  # The integration URI of a streaming Lambda proxy: InvokeWithResponseStream (API version
  # 2021-11-15, action response-streaming-invocations) instead of Invoke.
  streaming_invoke_uri = "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}:lambda:path/2021-11-15/functions/${aws_lambda_function.this.arn}/response-streaming-invocations"

  # A streamed integration may run for 15 minutes (a buffered one stops at 29 s); the function
  # closes each stream before that, with a retry hint (MAX_STREAM_MS in src/http/events-route.ts).
  streaming_timeout_ms = 900000
}

resource "aws_api_gateway_resource" "events" {
  count = local.rest_front ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_resource.request[0].id
  path_part   = "events"
}

resource "aws_cloudcontrolapi_resource" "streaming_route" {
  for_each = local.rest_front ? local.streaming_routes : {}

  type_name = "AWS::ApiGateway::Method"
  desired_state = jsonencode({
    RestApiId         = aws_api_gateway_rest_api.this[0].id
    ResourceId        = local.events_resource_ids[each.value.path]
    HttpMethod        = each.value.method
    AuthorizationType = "NONE"
    ApiKeyRequired    = local.api_key_required
    Integration = {
      Type                  = "AWS_PROXY"
      IntegrationHttpMethod = "POST"
      Uri                   = local.streaming_invoke_uri
      ResponseTransferMode  = "STREAM"
      TimeoutInMillis       = local.streaming_timeout_ms
    }
  })
}
