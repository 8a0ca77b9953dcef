# GET /v1/status/{request_id}/events: streamed by the REST API (response transfer mode STREAM,
# through Cloud Control) and by the function URL (invoke mode RESPONSE_STREAM); planned against
# the mocked AWS provider.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "rest_api_streams_the_events_method" {
  command = plan

  assert {
    condition     = length(aws_api_gateway_resource.events) == 1 && aws_api_gateway_resource.events[0].path_part == "events" && aws_api_gateway_resource.events[0].parent_id == aws_api_gateway_resource.request[0].id
    error_message = "The REST API must have /v1/status/{request_id}/events."
  }

  assert {
    condition = (
      jsondecode(aws_cloudcontrolapi_resource.streaming_route["GET /v1/status/{request_id}/events"].desired_state).HttpMethod == "GET" &&
      jsondecode(aws_cloudcontrolapi_resource.streaming_route["GET /v1/status/{request_id}/events"].desired_state).Integration.ResponseTransferMode == "STREAM" &&
      jsondecode(aws_cloudcontrolapi_resource.streaming_route["GET /v1/status/{request_id}/events"].desired_state).Integration.Type == "AWS_PROXY"
    )
    error_message = "GET /v1/status/{request_id}/events must be a Lambda proxy whose response transfer mode is STREAM."
  }

  assert {
    condition     = endswith(jsondecode(aws_cloudcontrolapi_resource.streaming_route["GET /v1/status/{request_id}/events"].desired_state).Integration.Uri, ":lambda:path/2021-11-15/functions/${aws_lambda_function.this.arn}/response-streaming-invocations")
    error_message = "A streamed Lambda proxy must invoke the function with InvokeWithResponseStream (response-streaming-invocations)."
  }

  assert {
    condition     = jsondecode(aws_cloudcontrolapi_resource.streaming_route["GET /v1/status/{request_id}/events"].desired_state).ResourceId == aws_api_gateway_resource.events[0].id
    error_message = "The streamed method must sit on the events resource."
  }

  assert {
    condition     = contains(keys(aws_api_gateway_method.route), "OPTIONS /v1/status/{request_id}/events") && contains(keys(aws_api_gateway_method.route), "ANY /v1/status/{request_id}/events")
    error_message = "The events resource must answer preflights and wrong methods through the function."
  }
}

run "api_key_required_covers_the_stream" {
  command = plan

  variables {
    api_key_required = true
  }

  assert {
    condition     = jsondecode(aws_cloudcontrolapi_resource.streaming_route["GET /v1/status/{request_id}/events"].desired_state).ApiKeyRequired == true
    error_message = "With api_key_required, the streamed method needs the key like every other."
  }
}

run "function_url_streams" {
  command = plan

  variables {
    front = "function_url"
  }

  assert {
    condition     = aws_lambda_function_url.this[0].invoke_mode == "RESPONSE_STREAM"
    error_message = "The function URL must stream the function's answers (invoke_mode RESPONSE_STREAM)."
  }

  assert {
    condition     = length(aws_cloudcontrolapi_resource.streaming_route) == 0 && length(aws_api_gateway_resource.events) == 0
    error_message = "Without the REST API, no REST method may be created."
  }
}
