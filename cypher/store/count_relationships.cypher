// How many {{type}} relationships start at live {{label}} nodes (from the count store).
MATCH (:{{label}})-[r:{{type}}]->() RETURN count(r) AS count
