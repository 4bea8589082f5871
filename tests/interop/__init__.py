"""Tests of the import and export of other tools' files."""
