"""Every Cypher statement graphkit runs, as .cypher files read with importlib.resources."""
