// Revoke a token; revoking it again keeps the first revocation time.
MATCH (t:ApiToken {id: $id})
SET t.revoked_at = coalesce(t.revoked_at, $now)
RETURN t {.*, hash: null} AS token
