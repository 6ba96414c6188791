// Every relationship that carries impact; for in-memory baselines.
MATCH (a:CI)-[r:$any($types)]->(b:CI)
RETURN a.id AS source, b.id AS target, type(r) AS type, r.group AS group
