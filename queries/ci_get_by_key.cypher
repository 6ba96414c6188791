MATCH (n:CI {type: $type, key: $key})
RETURN n {.*} AS ci
