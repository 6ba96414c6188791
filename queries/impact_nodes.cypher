// The CIs impact analysis starts from, as it needs to see them.
UNWIND $ids AS id
MATCH (n:CI {id: id})
RETURN n {
  .id, .type, .key, .name, .status, .redundancy, .sla_tier, .contact_email
} AS node
