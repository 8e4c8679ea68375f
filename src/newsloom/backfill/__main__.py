"""``python -m newsloom.backfill ...`` (and the spark-submit entry point: pass this file's path)."""

import sys

from newsloom.backfill import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
