// One step downstream: for each CI of the frontier, every CI that suffers
// when it fails, over the relationship that carries the impact. Types whose
// source is the dependent are followed backwards, the others forwards.
UNWIND $ids AS id
MATCH (n:CI {id: id})
CALL (n) {
  MATCH (n)<-[r:$any($source_dependent)]-(d:CI)
  RETURN r, d
  UNION
  MATCH (n)-[r:$any($target_dependent)]->(d:CI)
  RETURN r, d
}
RETURN startNode(r).id AS source, endNode(r).id AS target, type(r) AS type,
       r.group AS group, d {.id, .type, .key, .name, .status, .redundancy} AS node
