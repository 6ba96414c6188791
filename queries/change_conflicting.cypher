// Other planned change requests whose windows overlap this one's and whose
// blast radii share CIs with it, with what they share.
MATCH (c:ChangeRequest {id: $id})-[:CHANGE_AFFECTS]->(ci:CI)
      <-[:CHANGE_AFFECTS]-(other:ChangeRequest)
WHERE other.id <> c.id
  AND other.state IN $states
  AND other.window_start < c.window_end
  AND other.window_end > c.window_start
WITH other, collect(DISTINCT ci {.id, .type, .key, .name}) AS shared
RETURN other {.id, .title, .state, .risk, .requester, .window_start,
              .window_end} AS change,
       shared
ORDER BY other.window_start, other.id
