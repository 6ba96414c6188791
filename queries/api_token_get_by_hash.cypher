// Find the token whose secret hashes to $hash.
MATCH (t:ApiToken {hash: $hash})
RETURN t {.*, hash: null} AS token
