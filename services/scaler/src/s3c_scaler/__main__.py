"""`python -m s3c_scaler` runs the scaler service."""

from s3c_runtime.service import main

from s3c_scaler.app import build

if __name__ == "__main__":
    main("scaler", build)
