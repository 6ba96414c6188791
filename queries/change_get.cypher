MATCH (c:ChangeRequest {id: $id})
RETURN c {.*} AS change,
       [(c)-[:CHANGE_TARGETS]->(t:CI) | t {.id, .type, .key, .name}] AS targets
