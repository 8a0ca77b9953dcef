# The results bucket: results too large for a request's item, and the files tasks write, under
# requests/<request_id>/<attempt>/ (src/storage/keys.ts). Nothing in it is public: clients read
# objects only through URLs the function presigns for result_url_seconds.

resource "aws_s3_bucket" "this" {
  bucket = local.results_bucket_name

  # false: `terraform destroy` fails while the bucket holds objects, as the table's deletion
  # protection does; true lets destroy empty it first.
  force_destroy = var.results_bucket_force_destroy

  lifecycle {
    # S3's naming rules that a name made of letters, digits and hyphens can still break.
    precondition {
      condition     = length(local.results_bucket_name) <= 63 && !can(regex("^(xn--|sthree-|amzn-s3-demo-)", local.results_bucket_name))
      error_message = "The results bucket name ${local.results_bucket_name} breaks S3's naming rules (at most 63 characters, no xn--, sthree- or amzn-s3-demo- prefix): choose another name."
    }
  }
}

# ACLs off: the account owns every object, and access is decided by IAM and the bucket policy only.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.bucket

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.bucket

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# SSE-S3: encrypted at rest with S3's own keys, no KMS charge and nothing for the role to be
# allowed on a key.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# No aws_s3_bucket_versioning on purpose: a new bucket is unversioned, so expiring or deleting an
# object removes it, instead of leaving a noncurrent version that is billed until it expires too.
# (Versioning, once enabled, can only be suspended, never turned off again.)

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket

  # Objects outlive their request (they are written after it, and S3 rounds expiry up to the next
  # midnight UTC), so a presigned URL never points at an object gone before its request expires.
  # An attempt whose outcome will not point at what it wrote (it failed, was cancelled or taken
  # over) deletes its objects itself (DeleteObjects); everything else waits for this rule.
  rule {
    id     = "expire-requests"
    status = "Enabled"

    filter {
      prefix = local.results_prefix
    }

    expiration {
      days = local.results_expiration_days
    }

    # A multipart upload the function could not abort (a timeout, a crash) would otherwise keep
    # its parts, billed and invisible, forever.
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# A browser (the demo page or a frontend) can fetch a presigned URL and read the object's size and
# type. Simple GETs send no preflight; max_age matches the API's own preflights.
resource "aws_s3_bucket_cors_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket

  cors_rule {
    allowed_methods = ["GET", "HEAD"]
    allowed_origins = var.cors_allow_origins
    expose_headers  = ["Content-Length", "Content-Type"]
    max_age_seconds = local.cors_preflight_max_age_seconds
  }
}

data "aws_iam_policy_document" "results_bucket" {
  # Presigned URLs and the SDK use HTTPS; anything over plain HTTP is refused, whoever signs it.
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.results_bucket_arn, "${local.results_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.bucket
  policy = data.aws_iam_policy_document.results_bucket.json

  # S3 may refuse a policy while the public access block is still being set ("A conflicting
  # conditional operation is currently in progress"): set the policy after it.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
