// Every CI as impact analysis sees it; for in-memory baselines.
MATCH (n:CI)
RETURN n.id AS id, n.type AS type, n.key AS key, n.name AS name,
       n.status AS status, n.redundancy AS redundancy
