// Take the change request's write lock before reading it.
MATCH (c:ChangeRequest {id: $id})
SET c.version = c.version
RETURN c {.*} AS change,
       [(c)-[:CHANGE_TARGETS]->(t:CI) | t.id] AS target_ids
