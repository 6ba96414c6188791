// One step upstream: for each given CI, every requirement it has, with the
// member CI, so that requirement groups can be counted.
UNWIND $ids AS id
MATCH (d:CI {id: id})
CALL (d) {
  MATCH (d)-[r:$any($source_dependent)]->(m:CI)
  RETURN r, m
  UNION
  MATCH (d)<-[r:$any($target_dependent)]-(m:CI)
  RETURN r, m
}
RETURN startNode(r).id AS source, endNode(r).id AS target, type(r) AS type,
       r.group AS group, m {.id, .type, .key, .name, .status, .redundancy} AS node
