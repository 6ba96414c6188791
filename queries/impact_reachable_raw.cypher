// The bare lower bound of a blast radius: every CI reachable downstream from
// one start along impact relationships, with no redundancy logic. Impact runs
// against the stored direction for types whose source is the dependent and
// with it for the others; the pattern allows up to five changes of direction,
// more than any chain in the catalogue has.
MATCH (s:CI {id: $id})
MATCH ANY SHORTEST (s)
  (()<-[:$any($source_dependent)]-())*
  (()-[:$any($target_dependent)]->())*
  (()<-[:$any($source_dependent)]-())*
  (()-[:$any($target_dependent)]->())*
  (()<-[:$any($source_dependent)]-())*
  (()-[:$any($target_dependent)]->())*
  (()<-[:$any($source_dependent)]-())* (x)
RETURN DISTINCT x.id AS id
