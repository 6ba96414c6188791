// Relationships of the source's types between two CIs the source owns; the
// caller keeps those whose endpoint types the source produces.
MATCH (a:CI)-[r]->(b:CI)
WHERE a.type IN $types
  AND (a.key = $prefix OR a.key STARTS WITH $key_start)
  AND type(r) IN $rel_types
  AND b.type IN $types
  AND (b.key = $prefix OR b.key STARTS WITH $key_start)
RETURN a.id AS source, a.type AS source_type, type(r) AS type,
       b.id AS target, b.type AS target_type, properties(r) AS properties
