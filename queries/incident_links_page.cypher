// One page of an incident's links, nearest first, optionally filtered by
// kind, CI type and state; the cursor is the (depth, id) of the last link.
MATCH (:Incident {id: $id})-[l:INCIDENT_AFFECTS]->(c:CI)
WHERE ($kinds IS NULL OR l.link IN $kinds)
  AND ($type IS NULL OR c.type = $type)
  AND ($state IS NULL OR l.state = $state)
WITH c, l, coalesce(l.depth, 0) AS depth
WHERE $after_depth IS NULL
   OR depth > $after_depth
   OR (depth = $after_depth AND c.id > $after_id)
RETURN c {.id, .type, .key, .name} AS ci, l {.*} AS link, depth
ORDER BY depth, c.id
LIMIT $limit
