// Switch, part 1: the live nodes (of any key label: {{label}}) lose their
// model labels ({{labels}}) and become the retired generation, deleted after
// the switch.
MATCH (n:{{label}})
REMOVE n:{{labels}}
SET n:GraphkitRetired
