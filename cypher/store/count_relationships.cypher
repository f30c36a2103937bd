// How many {{type}} relationships there are (from the count store).
MATCH ()-[r:{{type}}]->() RETURN count(r) AS count
