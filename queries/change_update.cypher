// Set some properties of a change request (and bump its version).
MATCH (c:ChangeRequest {id: $id})
SET c += $properties, c.version = c.version + 1
RETURN c {.*} AS change
