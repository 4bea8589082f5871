"""Import and export of other tools' files: Microsoft Project XML and more."""
