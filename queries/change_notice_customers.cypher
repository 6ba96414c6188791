// The customers a change request affects, with their affected services.
MATCH (:ChangeRequest {id: $id})-[r:CHANGE_AFFECTS]->(customer:Customer)
CALL (r) {
  UNWIND coalesce(r.via, []) AS via_id
  MATCH (used:CI {id: via_id})
  RETURN collect(used {.id, .type, .key, .name}) AS services
}
RETURN customer {.id, .key, .name, .sla_tier, .contact_email} AS customer,
       r.state AS state, services
ORDER BY customer.key
