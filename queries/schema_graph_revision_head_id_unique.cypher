// The graph revision head is a singleton; concurrent MERGEs find one node.
CREATE CONSTRAINT graph_revision_head_id_unique IF NOT EXISTS
FOR (h:GraphRevisionHead) REQUIRE h.id IS UNIQUE
