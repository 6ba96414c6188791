MATCH (u:UnauthorisedChange {id: $id})
SET u += $properties
RETURN u {.*} AS unauthorised
