"""The ``pilotage`` command line."""
