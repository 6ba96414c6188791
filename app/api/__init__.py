"""The HTTP service: GraphQL at /graphql, health and readiness probes."""
