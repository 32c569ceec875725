"""`python -m s3c_executor` runs the executor service."""

from s3c_runtime.service import main

from s3c_executor.app import build

if __name__ == "__main__":
    main("executor", build)
