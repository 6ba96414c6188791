// The customers and services an incident affects, as priority weighs them.
MATCH (:Incident {id: $id})-[l:INCIDENT_AFFECTS]->(c:CI)
WHERE c.type IN $types AND l.link IN $kinds AND l.state IN $states
RETURN c.type AS type, c.key AS key, l.state AS state,
       c.sla_tier AS sla_tier, c.criticality AS criticality
