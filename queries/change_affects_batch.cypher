// Store part of a change request's blast radius: one row per affected CI.
MATCH (c:ChangeRequest {id: $id})
UNWIND $rows AS row
MATCH (ci:CI {id: row.id})
CREATE (c)-[r:CHANGE_AFFECTS]->(ci)
SET r = row.properties
RETURN count(r) AS stored
