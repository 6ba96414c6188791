// Find or create a helpdesk ticket by its system and ticket id; a given URL
// or title replaces the stored one.
MERGE (t:Ticket {system: $system, external_id: $external_id})
  ON CREATE SET t.id = $id, t.created_at = $at
SET t.url = coalesce($url, t.url), t.title = coalesce($title, t.title)
RETURN t {.*} AS ticket
