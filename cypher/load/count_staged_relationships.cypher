// How many {{type}} relationships start at staged {{staged}} nodes (from the count store).
MATCH (:{{staged}})-[r:{{type}}]->() RETURN count(r) AS count
