// Record one graph revision: the CIs a transaction changed ($cis, or null
// with $all true when the whole graph counts as changed). Run last in the
// writing transaction itself. Incrementing the head takes its write lock
// until commit, so revisions commit in the order of their numbers. Entries
// older than the newest $keep are deleted.
MERGE (head:GraphRevisionHead {id: 'graph'})
SET head.revision = coalesce(head.revision, 0) + 1
WITH head.revision AS revision
CREATE (:GraphRevision {revision: revision, cis: $cis, all: $all, at: datetime()})
WITH revision
CALL (revision) {
  MATCH (old:GraphRevision)
  WHERE old.revision <= revision - $keep
  DELETE old
}
RETURN revision
