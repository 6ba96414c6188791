// The teams and people owning the given CIs, for routing and notification.
UNWIND $ids AS id
MATCH (n:CI {id: id})-[:$any($owner_types)]->(o:CI)
RETURN id AS ci_id,
       o {.id, .type, .key, .name, .support_level, .email, .on_call} AS owner
