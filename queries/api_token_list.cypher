// Every API token, newest first, without its hash.
MATCH (t:ApiToken)
RETURN t {.*, hash: null} AS token
ORDER BY t.created_at DESC, t.id
