// Every CI as impact analysis sees it, with what answers tell about customers
// (SLA tier, contact) and owners (support level, contacts): read whole by the
// impact index, and by the in-memory baselines of the benchmarks.
MATCH (n:CI)
RETURN n.id AS id, n.type AS type, n.key AS key, n.name AS name,
       n.status AS status, n.redundancy AS redundancy,
       n.sla_tier AS sla_tier, n.contact_email AS contact_email,
       n.support_level AS support_level, n.email AS email, n.on_call AS on_call
