// The stored blast radius of a change request, nearest first.
MATCH (:ChangeRequest {id: $id})-[r:CHANGE_AFFECTS]->(ci:CI)
RETURN ci {.id, .type, .key, .name, .sla_tier, .contact_email, .criticality}
         AS ci,
       r {.*} AS impact
ORDER BY r.depth, ci.type, ci.key
