// The ids of the open incidents, oldest first, leaving one out.
MATCH (i:Incident)
WHERE i.status IN $open_statuses AND ($exclude_id IS NULL OR i.id <> $exclude_id)
RETURN i.id AS id
ORDER BY i.created_at, i.id
