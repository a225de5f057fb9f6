"""`python -m dreamfactory.cli`: the same command as the `dreamfactory` console script."""

import sys

from .commands import main

sys.exit(main())
