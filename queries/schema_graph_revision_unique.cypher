// One graph revision entry per number; reading the log seeks on it.
CREATE CONSTRAINT graph_revision_unique IF NOT EXISTS
FOR (r:GraphRevision) REQUIRE r.revision IS UNIQUE
