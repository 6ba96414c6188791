MATCH (u:UnauthorisedChange {id: $id})
SET u.status = u.status
RETURN u {.*} AS unauthorised
