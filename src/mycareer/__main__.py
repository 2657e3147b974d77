"""``python -m mycareer``: the same as the ``mycareer`` command."""

import sys

from mycareer.cli import main

if __name__ == "__main__":
    sys.exit(main())
