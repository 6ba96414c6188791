// One page of unauthorised changes, newest first.
MATCH (u:UnauthorisedChange)
WHERE ($status IS NULL OR u.status = $status)
  AND ($ci_id IS NULL OR u.ci_id = $ci_id)
RETURN u {.*} AS unauthorised
ORDER BY u.at DESC, u.id DESC
SKIP $skip
LIMIT $limit
