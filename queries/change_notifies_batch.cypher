// Store the owners a change request must notify: one row per team or person.
MATCH (c:ChangeRequest {id: $id})
UNWIND $rows AS row
MATCH (owner:CI {id: row.id})
CREATE (c)-[r:CHANGE_NOTIFIES]->(owner)
SET r = row.properties
RETURN count(r) AS stored
