// One page of a CI's relationships; $direction is 'out', 'in' or 'both'.
MATCH (n:CI {id: $id})-[r]-(m:CI)
WITH n, r, m, startNode(r) = n AS outgoing
WHERE ($direction = 'both' OR (outgoing = ($direction = 'out')))
  AND ($types IS NULL OR type(r) IN $types)
RETURN type(r) AS type, outgoing, properties(r) AS properties,
       m {.*} AS other
ORDER BY type, outgoing DESC, other.type, other.key
SKIP $skip
LIMIT $limit
