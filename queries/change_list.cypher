// One page of change requests, by window start, optionally in some states.
MATCH (c:ChangeRequest)
WHERE ($states IS NULL OR c.state IN $states)
  AND ($requester IS NULL OR c.requester = $requester)
RETURN c {.*} AS change,
       [(c)-[:CHANGE_TARGETS]->(t:CI) | t {.id, .type, .key, .name}] AS targets
ORDER BY c.window_start, c.id
SKIP $skip
LIMIT $limit
