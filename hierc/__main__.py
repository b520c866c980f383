import sys

from hierc.cli import main

sys.exit(main())
