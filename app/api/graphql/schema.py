"""The GraphQL schema, assembled from one query and one mutation type per area."""

import strawberry
from strawberry.tools import merge_types

from app.api.graphql.cis import CIMutation, CIQuery
from app.api.graphql.errors import ErrorCodes
from app.api.graphql.impact import ImpactQuery
from app.api.graphql.incidents import IncidentMutation, IncidentQuery

Query = merge_types("Query", (CIQuery, ImpactQuery, IncidentQuery))
Mutation = merge_types("Mutation", (CIMutation, IncidentMutation))

schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ErrorCodes])
