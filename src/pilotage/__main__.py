"""Run the command line with ``python -m pilotage``."""

from pilotage.cli.main import main

main()
