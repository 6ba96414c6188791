// An incident's activity log, newest first; the cursor is the (recorded_at,
// id) of the last entry of the previous page.
MATCH (a:IncidentActivity)
WHERE a.incident_id = $id
  AND ($before_at IS NULL
       OR a.recorded_at < $before_at
       OR (a.recorded_at = $before_at AND a.id < $before_id))
RETURN a {.*} AS entry
ORDER BY a.recorded_at DESC, a.id DESC
LIMIT $limit
