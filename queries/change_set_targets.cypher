// Replace the target CIs of a change request.
MATCH (c:ChangeRequest {id: $id})
OPTIONAL MATCH (c)-[old:CHANGE_TARGETS]->(:CI)
DELETE old
WITH DISTINCT c
UNWIND $target_ids AS target_id
MATCH (t:CI {id: target_id})
CREATE (c)-[:CHANGE_TARGETS]->(t)
RETURN count(t) AS targets
