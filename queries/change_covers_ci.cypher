// Whether a change request targets a CI or holds it in its blast radius.
MATCH (c:ChangeRequest {id: $id})
RETURN c.state AS state,
       EXISTS { (c)-[:CHANGE_TARGETS|CHANGE_AFFECTS]->(:CI {id: $ci_id}) }
         AS covers
