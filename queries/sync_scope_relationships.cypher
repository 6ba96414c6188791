// Relationships of the source's types between two CIs the source owns, as
// one list of [source id, source type, type, target id, target type, values
// of $property_names]; the caller keeps those whose endpoint types the source
// produces. One row of lists reads far faster than a row per relationship.
MATCH (a:CI)-[r]->(b:CI)
WHERE a.type IN $types
  AND (a.key = $prefix OR a.key STARTS WITH $key_start)
  AND type(r) IN $rel_types
  AND b.type IN $types
  AND (b.key = $prefix OR b.key STARTS WITH $key_start)
RETURN collect([a.id, a.type, type(r), b.id, b.type,
                [name IN $property_names | r[name]]]) AS rows
