"""`python -m s3c_cli` is the `s3c` command."""

import sys

from s3c_cli.main import main

sys.exit(main())
