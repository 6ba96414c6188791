// One page of the stored blast radius of a change request, nearest first,
// of one CI type when $type is given, with how many there are in all.
MATCH (c:ChangeRequest {id: $id})
CALL (c) {
  MATCH (c)-[:CHANGE_AFFECTS]->(ci:CI)
  WHERE $type IS NULL OR ci.type = $type
  RETURN count(ci) AS total
}
CALL (c) {
  MATCH (c)-[r:CHANGE_AFFECTS]->(ci:CI)
  WHERE $type IS NULL OR ci.type = $type
  WITH r, ci
  ORDER BY r.depth, ci.type, ci.key
  SKIP $offset
  LIMIT $limit
  RETURN collect({
    ci: ci {.id, .type, .key, .name, .sla_tier, .contact_email, .criticality},
    impact: r {.*}
  }) AS page
}
RETURN total, page
