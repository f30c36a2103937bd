// Remove earlier write-back findings from {{type}} relationships.
// $names: the finding property names; $cleared: {name: null} for each
MATCH ()-[r:{{type}}]->()
WHERE any(k IN keys(r) WHERE k IN $names)
SET r += $cleared
