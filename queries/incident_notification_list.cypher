// The customers to tell about an incident, each with the CIs it uses that
// the incident affects, its SLA tier and contact.
MATCH (i:Incident {id: $id})-[l:INCIDENT_AFFECTS]->(c:Customer)
WHERE l.link IN $notify_kinds
CALL (i, c) {
  OPTIONAL MATCH (c)-[:$any($usage_types)]->(x:CI)<-[lx:INCIDENT_AFFECTS]-(i)
  WHERE lx.link IN $affected_kinds
  RETURN collect(x {.id, .type, .key, .name, state: lx.state}) AS used
}
RETURN c {.id, .key, .name, .sla_tier, .contact_email} AS customer,
       l.state AS state, l.link AS kind, used
ORDER BY customer.key
