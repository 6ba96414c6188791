"""The GraphQL schema: configuration items, relationships and history."""
