"""The graphkit command line: thin commands over the library."""
