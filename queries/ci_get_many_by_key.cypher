UNWIND $refs AS ref
MATCH (n:CI {type: ref.type, key: ref.key})
RETURN n {.*} AS ci
