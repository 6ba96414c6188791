"""The GraphQL schema, assembled from one query and one mutation type per area."""

import strawberry
from strawberry.tools import merge_types

from app.api.graphql.changes import ChangeMutation, ChangeQuery
from app.api.graphql.cis import CIMutation, CIQuery
from app.api.graphql.errors import ErrorCodes
from app.api.graphql.impact import ImpactQuery
from app.api.graphql.incidents import IncidentMutation, IncidentQuery
from app.api.graphql.tokens import TokenMutation, TokenQuery

Query = merge_types(
    "Query", (CIQuery, ImpactQuery, IncidentQuery, ChangeQuery, TokenQuery)
)
Mutation = merge_types(
    "Mutation", (CIMutation, IncidentMutation, ChangeMutation, TokenMutation)
)

schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ErrorCodes])
