// The newest graph revision; 0 when none was ever recorded.
OPTIONAL MATCH (head:GraphRevisionHead {id: 'graph'})
RETURN coalesce(head.revision, 0) AS revision
