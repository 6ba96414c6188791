// One page of incidents, newest first, optionally of some statuses. The
// cursor is the (created_at, id) of the last incident of the previous page.
MATCH (i:Incident)
WHERE ($statuses IS NULL OR i.status IN $statuses)
  AND ($before_at IS NULL
       OR i.created_at < $before_at
       OR (i.created_at = $before_at AND i.id < $before_id))
RETURN i {.*} AS incident
ORDER BY i.created_at DESC, i.id DESC
LIMIT $limit
