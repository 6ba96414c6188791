UNWIND $ids AS id
MATCH (n:CI {id: id})
RETURN n.id AS id, n.criticality AS criticality
