// Take the CI's write lock before reading it, so that a read-modify-write
// in one transaction cannot lose a concurrent update. Setting a property to
// the value it has takes no lock, so a marker is set and removed again.
MATCH (n:CI {id: $id})
SET n.locked_for_update = true
REMOVE n.locked_for_update
RETURN n {.*} AS ci
