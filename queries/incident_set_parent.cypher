// Group incidents under a parent (problem) incident.
MATCH (parent:Incident {id: $parent_id})
UNWIND $child_ids AS child_id
MATCH (child:Incident {id: child_id})
OPTIONAL MATCH (child)-[old:INCIDENT_CHILD_OF]->(other:Incident)
WHERE other.id <> $parent_id
DELETE old
WITH DISTINCT parent, child
MERGE (child)-[r:INCIDENT_CHILD_OF]->(parent)
  ON CREATE SET r.at = $at, r.actor = $actor
