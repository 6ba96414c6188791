// The graph revisions after $after, oldest first: what a copy of the graph
// read at revision $after must read again. `cis` is null when `all` is true.
// The reader checks the revisions run without a gap from $after + 1 to the
// head (graph_revision_head); a gap means entries were pruned, and the copy
// must be read again whole.
MATCH (r:GraphRevision)
WHERE r.revision > $after
RETURN r.revision AS revision, r.cis AS cis, r.all AS all
ORDER BY revision
