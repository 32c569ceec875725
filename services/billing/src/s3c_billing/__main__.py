"""`python -m s3c_billing` runs the billing service."""

from s3c_runtime.service import main

from s3c_billing.app import build

if __name__ == "__main__":
    main("billing", build)
