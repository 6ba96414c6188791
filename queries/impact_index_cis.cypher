// CIs the impact index reads again after a write touched them: each as
// impact_all_nodes returns it, with every relationship of $types at either
// end, as [source id, type, target id, group]. A relationship from a CI to
// itself is listed once.
UNWIND $ids AS id
MATCH (n:CI {id: id})
RETURN n.id AS id, n.type AS type, n.key AS key, n.name AS name,
       n.status AS status, n.redundancy AS redundancy,
       n.sla_tier AS sla_tier, n.contact_email AS contact_email,
       n.support_level AS support_level, n.email AS email, n.on_call AS on_call,
       [(n)-[r:$any($types)]->(m:CI) | [n.id, type(r), m.id, r.group]] +
       [(n)<-[r:$any($types)]-(m:CI) WHERE m <> n | [m.id, type(r), n.id, r.group]]
         AS relationships
