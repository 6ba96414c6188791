// Route an incident to a team (or to none) at a support level.
MATCH (i:Incident {id: $id})
OPTIONAL MATCH (i)-[old:INCIDENT_ASSIGNED_TO]->()
DELETE old
WITH DISTINCT i
SET i.support_level = $support_level, i.assignment_overridden = $overridden
WITH i
OPTIONAL MATCH (t:CI {id: $team_id})
FOREACH (team IN CASE WHEN t IS NULL THEN [] ELSE [t] END |
  CREATE (i)-[:INCIDENT_ASSIGNED_TO {
    support_level: $support_level, overridden: $overridden, at: $at
  }]->(team)
)
