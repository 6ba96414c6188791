// One page of CIs of a type, ordered by key; $after is the last key of the
// previous page.
MATCH (n:CI)
WHERE n.type = $type
  AND ($after IS NULL OR n.key > $after)
  AND ($status IS NULL OR n.status = $status)
  AND ($name IS NULL OR toLower(n.name) CONTAINS toLower($name))
  AND all(name IN keys($attributes) WHERE n[name] = $attributes[name])
RETURN n {.*} AS ci
ORDER BY n.key
LIMIT $limit
