// How many nodes are staged under {{staged}} (from the count store), checked
// against the plan in the switch's transaction before anything is switched.
MATCH (n:{{staged}}) RETURN count(n) AS count
