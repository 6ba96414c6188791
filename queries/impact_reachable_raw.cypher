// The bare lower bound of a blast radius: every CI reachable downstream
// from one start along impact relationships, with no redundancy logic.
MATCH (s:CI {id: $id})
MATCH ANY SHORTEST (s) ((a)-[r]-(b)
  WHERE (type(r) IN $source_dependent AND endNode(r) = a)
     OR (type(r) IN $target_dependent AND startNode(r) = a))+ (x)
RETURN DISTINCT x.id AS id
