// Take the CI's write lock before reading it, so that a read-modify-write
// in one transaction cannot lose a concurrent update.
MATCH (n:CI {id: $id})
SET n.version = n.version
RETURN n {.*} AS ci
