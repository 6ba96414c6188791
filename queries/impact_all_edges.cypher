// Every relationship of $types: read whole by the impact index, and by the
// in-memory baselines of the benchmarks.
MATCH (a:CI)-[r:$any($types)]->(b:CI)
RETURN a.id AS source, b.id AS target, type(r) AS type, r.group AS group
