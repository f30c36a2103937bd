// How many {{label}} nodes there are (from the count store).
MATCH (n:{{label}}) RETURN count(n) AS count
