// The teams and people a change request notifies.
MATCH (:ChangeRequest {id: $id})-[r:CHANGE_NOTIFIES]->(owner:CI)
RETURN owner {.id, .type, .key, .name, .support_level, .email} AS owner,
       r.owned_affected AS owned_affected
ORDER BY coalesce(owner.support_level, 9), owner.key
