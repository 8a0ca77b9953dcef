terraform {
  # `terraform test` with mocks needs 1.7+; the offline suite in test/terraform uses
  # `override_during = plan`, which needs 1.11+. Plain init/plan/apply work from 1.6.
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
