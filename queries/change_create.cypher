// Create a change request and point it at its target CIs.
CREATE (c:ChangeRequest)
SET c = $properties
WITH c
UNWIND $target_ids AS target_id
MATCH (t:CI {id: target_id})
CREATE (c)-[:CHANGE_TARGETS]->(t)
RETURN count(t) AS targets
