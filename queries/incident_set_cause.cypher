// Record the probable cause of incidents: an upstream CI and what it explains.
MATCH (cause:CI {id: $cause_id})
UNWIND $incident_ids AS incident_id
MATCH (i:Incident {id: incident_id})
OPTIONAL MATCH (i)-[old:INCIDENT_PROBABLE_CAUSE]->()
DELETE old
WITH DISTINCT cause, i
CREATE (i)-[:INCIDENT_PROBABLE_CAUSE {
  at: $at, actor: $actor, explained: $explained, of: $of
}]->(cause)
