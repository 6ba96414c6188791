"""Where resolvers run: resolver functions in worker threads, async ones on the loop."""

import asyncio
import threading

import strawberry

from app.api.graphql.hardening import ServedSchema


@strawberry.type
class Query:
    @strawberry.field
    def blocking(self) -> str:
        return threading.current_thread().name

    @strawberry.field
    async def awaiting(self) -> str:
        return threading.current_thread().name

    @strawberry.field
    def echo(self, source: str) -> str:
        return source


def execute(query: str) -> tuple[dict, str]:
    """Run a query through the served schema; return its data and the loop's thread."""
    schema = ServedSchema(query=Query)

    async def on_the_loop() -> tuple[dict, str]:
        result = await schema.execute(query)
        assert result.errors is None, result.errors
        return result.data, threading.current_thread().name

    return asyncio.run(on_the_loop())


def test_a_resolver_runs_in_a_worker_thread():
    data, loop_thread = execute("{ blocking }")

    assert data["blocking"] != loop_thread


def test_an_async_resolver_runs_on_the_event_loop():
    data, loop_thread = execute("{ awaiting }")

    assert data["awaiting"] == loop_thread


def test_a_resolver_may_take_an_argument_named_source():
    data, _ = execute('{ echo(source: "vcenter") }')

    assert data["echo"] == "vcenter"


def test_the_declared_type_is_left_as_it_was():
    ServedSchema(query=Query)

    assert all(not field.extensions for field in Query.__strawberry_definition__.fields)
