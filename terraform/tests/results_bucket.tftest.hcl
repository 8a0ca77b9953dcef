# The results bucket (s3.tf) and what the function gets to use it, planned against the mocked AWS
# provider (account 123456789012, region eu-west-1). That the bucket has no versioning resource is
# checked by test/terraform/drift.test.ts, which can see which resources exist.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "results_bucket_is_private_and_encrypted" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "async-router-results-123456789012-eu-west-1" && output.results_bucket == aws_s3_bucket.this.bucket
    error_message = "The bucket must be <name>-results-<account_id>-<region>, and the results_bucket output its name."
  }

  assert {
    condition     = !aws_s3_bucket.this.force_destroy
    error_message = "By default, destroy must not delete a bucket that still holds objects."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.bucket == "async-router-results-123456789012-eu-west-1" &&
      aws_s3_bucket_public_access_block.this.block_public_acls &&
      aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls &&
      aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "All four public access block settings must be on for the bucket."
  }

  assert {
    condition = (
      aws_s3_bucket_ownership_controls.this.bucket == "async-router-results-123456789012-eu-west-1" &&
      one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    )
    error_message = "Object ownership must be BucketOwnerEnforced (ACLs off)."
  }

  assert {
    condition = (
      aws_s3_bucket_server_side_encryption_configuration.this.bucket == "async-router-results-123456789012-eu-west-1" &&
      length(aws_s3_bucket_server_side_encryption_configuration.this.rule) == 1 &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == null
    )
    error_message = "Default encryption must be SSE-S3 (AES256), with no KMS key."
  }
}

run "results_bucket_refuses_plain_http" {
  command = plan

  assert {
    condition     = aws_s3_bucket_policy.this.bucket == "async-router-results-123456789012-eu-west-1" && aws_s3_bucket_policy.this.policy == data.aws_iam_policy_document.results_bucket.json
    error_message = "The bucket policy must be the results_bucket document, on the bucket."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.results_bucket.statement) == 1
    error_message = "The bucket policy must hold one statement, the TLS denial: it grants nothing."
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.results_bucket.statement).sid == "DenyInsecureTransport" &&
      one(data.aws_iam_policy_document.results_bucket.statement).effect == "Deny" &&
      jsonencode(one(data.aws_iam_policy_document.results_bucket.statement).actions) == jsonencode(["s3:*"]) &&
      jsonencode(sort(one(data.aws_iam_policy_document.results_bucket.statement).resources)) == jsonencode([
        "arn:aws:s3:::async-router-results-123456789012-eu-west-1",
        "arn:aws:s3:::async-router-results-123456789012-eu-west-1/*",
      ])
    )
    error_message = "Every S3 action on the bucket and on its objects must be denied..."
  }

  assert {
    condition = (
      jsonencode(one(data.aws_iam_policy_document.results_bucket.statement).principals) == jsonencode([{ type = "*", identifiers = ["*"] }]) &&
      jsonencode(one(data.aws_iam_policy_document.results_bucket.statement).condition) == jsonencode([{
        test     = "Bool"
        variable = "aws:SecureTransport"
        values   = ["false"]
      }])
    )
    error_message = "...to everyone, when the request does not come over TLS (aws:SecureTransport false)."
  }
}

run "results_bucket_lifecycle_follows_the_ttl" {
  command = plan

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.bucket == "async-router-results-123456789012-eu-west-1" && length(aws_s3_bucket_lifecycle_configuration.this.rule) == 1
    error_message = "The bucket must have exactly one lifecycle rule."
  }

  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this.rule[0].id == "expire-requests" &&
      aws_s3_bucket_lifecycle_configuration.this.rule[0].status == "Enabled" &&
      jsonencode([for f in aws_s3_bucket_lifecycle_configuration.this.rule[0].filter : f.prefix]) == jsonencode(["requests/"]) &&
      length(aws_s3_bucket_lifecycle_configuration.this.rule[0].filter[0].and) == 0 &&
      length(aws_s3_bucket_lifecycle_configuration.this.rule[0].filter[0].tag) == 0
    )
    error_message = "The rule must be enabled and apply to the requests/ prefix only."
  }

  assert {
    # ceil(86400 / 86400) + 1
    condition     = jsonencode([for e in aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration : e.days]) == jsonencode([2])
    error_message = "With the default one-day TTL, objects must expire after 2 days."
  }

  assert {
    condition     = jsonencode([for a in aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload : a.days_after_initiation]) == jsonencode([1])
    error_message = "Incomplete multipart uploads must be aborted after 1 day."
  }

  assert {
    condition = (
      length(aws_s3_bucket_lifecycle_configuration.this.rule[0].transition) == 0 &&
      length(aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration) == 0 &&
      length(aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_transition) == 0
    )
    error_message = "The rule must only expire objects and abort uploads: no transitions, nothing for versions (the bucket has none)."
  }
}

run "results_bucket_expiry_rounds_the_ttl_up_to_days" {
  command = plan

  variables {
    # 25 hours: 2 days rounded up, plus one.
    request_ttl_seconds = 90000
  }

  assert {
    condition     = jsonencode([for e in aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration : e.days]) == jsonencode([3])
    error_message = "A TTL of 90000 s must expire objects after ceil(90000 / 86400) + 1 = 3 days."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["REQUEST_TTL_SECONDS"] == "90000"
    error_message = "The function must get the same TTL."
  }
}

run "results_bucket_expiry_with_a_short_ttl" {
  command = plan

  variables {
    request_ttl_seconds         = 3600
    lambda_timeout_seconds      = 300
    async_max_event_age_seconds = 900
    result_url_seconds          = 3600
  }

  assert {
    condition     = jsonencode([for e in aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration : e.days]) == jsonencode([2])
    error_message = "A one-hour TTL must still keep objects for ceil(3600 / 86400) + 1 = 2 days."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["RESULT_URL_SECONDS"] == "3600"
    error_message = "A URL may work exactly as long as the TTL."
  }
}

run "results_bucket_cors_allows_any_origin_by_default" {
  command = plan

  assert {
    condition     = aws_s3_bucket_cors_configuration.this.bucket == "async-router-results-123456789012-eu-west-1" && length(aws_s3_bucket_cors_configuration.this.cors_rule) == 1
    error_message = "The bucket must have one CORS rule."
  }

  assert {
    condition = (
      jsonencode(sort(tolist(one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_origins))) == jsonencode(["*"]) &&
      jsonencode(sort(tolist(one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_methods))) == jsonencode(["GET", "HEAD"]) &&
      jsonencode(sort(tolist(one(aws_s3_bucket_cors_configuration.this.cors_rule).expose_headers))) == jsonencode(["Content-Length", "Content-Type"]) &&
      one(aws_s3_bucket_cors_configuration.this.cors_rule).max_age_seconds == 600
    )
    error_message = "Browsers must be able to GET and HEAD objects from any origin by default, and read their Content-Length and Content-Type."
  }

  assert {
    condition     = one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_headers == null || length(coalesce(one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_headers, [])) == 0
    error_message = "No request headers are needed to GET a presigned URL: none may be allowed."
  }
}

run "results_bucket_cors_follows_the_origins" {
  command = plan

  variables {
    cors_allow_origins = ["https://app.example.com", "http://localhost:5173"]
  }

  assert {
    condition     = jsonencode(sort(tolist(one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_origins))) == jsonencode(["http://localhost:5173", "https://app.example.com"])
    error_message = "The bucket's CORS origins must be cors_allow_origins, like the API's."
  }
}

run "results_bucket_force_destroy_can_be_turned_on" {
  command = plan

  variables {
    results_bucket_force_destroy = true
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy
    error_message = "results_bucket_force_destroy = true must let destroy empty the bucket."
  }
}

run "function_may_use_objects_under_requests_only" {
  command = plan

  assert {
    condition = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : sort(s.actions) if s.sid == "ResultsObjects"])) == jsonencode([
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ])
    error_message = "The role must get exactly PutObject, GetObject, DeleteObject, AbortMultipartUpload and ListMultipartUploadParts."
  }

  assert {
    condition     = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "ResultsObjects"])) == jsonencode(["arn:aws:s3:::async-router-results-123456789012-eu-west-1/requests/*"])
    error_message = "The S3 permissions must cover the requests/ prefix of the results bucket only, not the bucket itself."
  }

  assert {
    condition = alltrue(flatten([for s in data.aws_iam_policy_document.this.statement : [
      for r in s.resources : r != "arn:aws:s3:::async-router-results-123456789012-eu-west-1" && !startswith(r, "arn:aws:s3:::*")
    ]]))
    error_message = "No statement may grant anything on the bucket itself or on every bucket."
  }
}

run "function_gets_the_bucket_and_its_limits" {
  command = plan

  variables {
    result_url_seconds = 3600
    max_output_bytes   = 5497558138880
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["RESULTS_BUCKET"] == "async-router-results-123456789012-eu-west-1" &&
      one(aws_lambda_function.this.environment).variables["RESULT_URL_SECONDS"] == "3600" &&
      one(aws_lambda_function.this.environment).variables["MAX_OUTPUT_BYTES"] == "5497558138880"
    )
    error_message = "RESULTS_BUCKET, RESULT_URL_SECONDS and MAX_OUTPUT_BYTES must follow the bucket and the variables (5 TiB as a plain integer)."
  }
}

run "results_bucket_name_is_lower_case" {
  command = plan

  variables {
    name = "Router-Dev"
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == "router-dev-results-123456789012-eu-west-1" && aws_lambda_function.this.function_name == "Router-Dev"
    error_message = "Bucket names are lower-case only: the name must be lower-cased there, and only there."
  }
}

run "results_bucket_name_is_cut_to_63_characters" {
  command = plan

  variables {
    name = "Router-with-a-rather-long-name-for-tests"
  }

  # The longest region names (14 characters) leave 27 for the name.
  override_data {
    target = data.aws_region.current
    values = {
      name = "ap-southeast-1"
    }
  }

  assert {
    # 18 characters of the name, "-", 8 of sha256("Router-with-a-rather-long-name-for-tests").
    condition     = aws_s3_bucket.this.bucket == "router-with-a-rath-3d39af34-results-123456789012-ap-southeast-1" && length(aws_s3_bucket.this.bucket) == 63
    error_message = "A name too long for the bucket must be cut, followed by its hash, to exactly 63 characters."
  }

  assert {
    condition     = jsonencode(one([for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "ResultsObjects"])) == jsonencode(["arn:aws:s3:::router-with-a-rath-3d39af34-results-123456789012-ap-southeast-1/requests/*"])
    error_message = "The role's S3 permissions must follow the cut name."
  }
}

run "results_bucket_names_that_start_alike_differ" {
  command = plan

  variables {
    name = "Router-with-a-rather-long-name-for-other"
  }

  override_data {
    target = data.aws_region.current
    values = {
      name = "ap-southeast-1"
    }
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == "router-with-a-rath-49b58e4d-results-123456789012-ap-southeast-1"
    error_message = "Two long names that share their first characters must still get different buckets."
  }
}
