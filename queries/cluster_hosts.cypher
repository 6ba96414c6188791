// The hosts that are members of a cluster, by key.
MATCH (h:CI:Host)-[:MEMBER_OF]->(:CI {id: $cluster_id})
WHERE h.status <> $retired
RETURN h.id AS id
ORDER BY h.key
