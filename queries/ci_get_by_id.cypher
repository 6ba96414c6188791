MATCH (n:CI {id: $id})
RETURN n {.*} AS ci
