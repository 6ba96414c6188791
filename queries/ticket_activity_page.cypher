// A ticket's link history, newest first.
MATCH (a:TicketActivity)
WHERE a.ticket_id = $id
RETURN a {.*} AS entry
ORDER BY a.recorded_at DESC, a.id DESC
LIMIT $limit
