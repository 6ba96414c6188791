// The CIs that directly depend on any of the given CIs (those down in the
// context): only their requirement groups can hold a context member.
UNWIND $ids AS id
MATCH (m:CI {id: id})
CALL (m) {
  MATCH (m)<-[:$any($source_dependent)]-(d:CI)
  RETURN d
  UNION
  MATCH (m)-[:$any($target_dependent)]->(d:CI)
  RETURN d
}
RETURN DISTINCT d.id AS id
