// One step downstream from a frontier of newly reached CIs, one row each,
// with the CI itself when $with_nodes (the first step, from the starts), its
// owners, and:
// - dependents: every CI that suffers when it fails, over the relationship
//   that carries the impact (types whose source is the dependent are followed
//   backwards, the others forwards), as [source, type, target, group, node];
// - groups: its own requirement groups as [type, group, active members,
//   members down in the context], so that redundancy is counted right without
//   fetching every member. $counted_source and $counted_target hold three
//   lists of types each: those with a default redundancy, those allowing
//   redundancy, and all.
UNWIND $ids AS id
MATCH (n:CI {id: id})
CALL (n) {
  CALL (n) {
    MATCH (n)<-[r:$any($source_dependent)]-(d:CI)
    RETURN r, d
    UNION
    MATCH (n)-[r:$any($target_dependent)]->(d:CI)
    RETURN r, d
  }
  RETURN collect([
    startNode(r).id, type(r), endNode(r).id, r.group,
    d {.id, .type, .key, .name, .status, .redundancy, .sla_tier, .contact_email}
  ]) AS dependents
}
CALL (n) {
  // Only groups whose size can matter are counted: types with a default
  // redundancy, those the CI sets its own policy for, and every type when
  // members down in the context must be found: in every CI when
  // $context_everywhere, else in those of $context_dependents.
  WITH n,
       CASE
         WHEN $context_everywhere OR n.id IN $context_dependents THEN 2
         WHEN n.redundancy IS NULL THEN 0
         ELSE 1
       END AS scope
  CALL (n, scope) {
    MATCH (n)-[r:$any($counted_source[scope])]->(m:CI)
    RETURN r, m
    UNION
    MATCH (n)<-[r:$any($counted_target[scope])]-(m:CI)
    RETURN r, m
  }
  WITH r, m
  WHERE m.status IS NULL OR m.status <> $retired
  WITH type(r) AS type, r.group AS group, count(m) AS size,
       collect(CASE WHEN m.id IN $context THEN [
         startNode(r).id, endNode(r).id,
         m {.id, .type, .key, .name, .status, .redundancy}
       ] END) AS down
  RETURN collect([type, group, size, down]) AS groups
}
RETURN n.id AS id,
       CASE WHEN $with_nodes THEN n {
         .id, .type, .key, .name, .status, .redundancy, .sla_tier, .contact_email
       } END AS node,
       dependents, groups,
       [(n)-[:$any($owner_types)]->(o:CI) |
        o {.id, .type, .key, .name, .support_level, .email, .on_call}] AS owners
