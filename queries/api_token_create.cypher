// Store a new API token: its hash, never its secret.
CREATE (t:ApiToken)
SET t = $token
RETURN t {.*, hash: null} AS token
