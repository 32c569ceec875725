"""`python -m s3c_registry` runs the registry service."""

from s3c_runtime.service import main

from s3c_registry.app import build

if __name__ == "__main__":
    main("registry", build)
