// Remove earlier write-back findings from {{label}} nodes.
// $names: the finding property names; $cleared: {name: null} for each
MATCH (n:{{label}})
WHERE any(k IN keys(n) WHERE k IN $names)
SET n += $cleared
