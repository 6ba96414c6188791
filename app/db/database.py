"""The one place that holds a Neo4j driver and runs statements."""

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, RoutingControl
from neo4j.time import Date, DateTime, Duration, Time

from app.db.revisions import REVISIONS_KEPT, GraphChanges
from app.db.statements import GraphChange, StatementStore
from app.domain.errors import CMDBError, ErrorCode, Problem
from app.settings import Settings

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
Row = dict[str, Any]


CONNECTIVITY_ERRORS = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
)


class DatabaseUnavailableError(CMDBError):
    """Neo4j cannot be reached; the request may be retried later."""

    def __init__(self, cause: Exception) -> None:
        super().__init__([])
        self.problems = [
            Problem(
                "", ErrorCode.UNAVAILABLE, f"the graph database is unavailable: {cause}"
            )
        ]
        self.args = (str(self.problems[0]),)


class Database:
    """A driver, the database name and the statement store, used together.

    One instance per process. Reads are routed as reads; multi-statement
    writes run as managed transaction functions, which the driver retries on
    transient errors, so they must be idempotent.

    Every write transaction that changes CIs or their relationships records
    one graph revision in the same transaction, naming the CIs it touched
    (see ``app.db.revisions``); the newest ``revisions_kept`` are kept.
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        statements: StatementStore,
        database: str = "neo4j",
        timeout_s: float | None = None,
        revisions_kept: int = REVISIONS_KEPT,
    ) -> None:
        self.driver = driver
        self.statements = statements
        self.database = database
        self.timeout_s = timeout_s
        self.revisions_kept = revisions_kept

    @classmethod
    def connect(cls, settings: Settings) -> "Database":
        """Open a driver for the configured server; connection is lazy."""
        driver = GraphDatabase.driver(
            settings.bolt_uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
            max_connection_pool_size=50,
            connection_acquisition_timeout=10.0,
            connection_timeout=settings.neo4j_connection_timeout_s,
            max_transaction_retry_time=settings.neo4j_max_retry_time_s,
            notifications_min_severity="OFF",
        )
        return cls(
            driver,
            StatementStore(settings.queries_dir),
            settings.neo4j_database,
            settings.neo4j_transaction_timeout_s,
        )

    def close(self) -> None:
        """Close the driver and its connections."""
        self.driver.close()

    def read(self, statement: str, /, **params: Any) -> list[Row]:
        """Run a read statement by name and return its rows as plain dicts."""
        return self._query(statement, params, RoutingControl.READ)

    def read_values(self, statement: str, /, **params: Any) -> list[Row]:
        """Run a read statement whose rows hold only plain values, quickly.

        For statements returning strings, numbers, lists and maps, never
        nodes, relationships or temporal values: rows are taken as the driver
        decodes them, without the per-value conversion ``read`` does, which
        dominates large reads.

        The statement runs in an auto-commit transaction, one round trip where
        a managed one takes two, with the bookmarks ``execute_query`` keeps. A
        connection found broken (a pooled one, after a server restart) is
        tried once more on a fresh one; the read is idempotent.
        """
        query = neo4j.Query(self.statements.get(statement), timeout=self.timeout_s)
        try:
            return self._read_auto_commit(query, params)
        except CONNECTIVITY_ERRORS as error:
            logger.info("Reading %s again on a new connection: %s", statement, error)
        try:
            return self._read_auto_commit(query, params)
        except CONNECTIVITY_ERRORS as error:
            raise DatabaseUnavailableError(error) from error

    def stream_values(self, statement: str, /, **params: Any) -> Iterator[tuple]:
        """Run a read statement and yield its rows as value tuples, as they come.

        For reads too large to hold as a list (the whole graph): nothing but
        the current record is kept. Rows hold plain values, as for
        ``read_values``; the statement runs without a time limit.
        """
        query = neo4j.Query(self.statements.get(statement), timeout=0)
        try:
            with self._read_session() as session:
                for record in session.run(query, params):
                    yield tuple(record)
        except CONNECTIVITY_ERRORS as error:
            raise DatabaseUnavailableError(error) from error

    def write(self, statement: str, /, **params: Any) -> list[Row]:
        """Run one write statement by name in its own transaction.

        A statement that changes the graph runs as a transaction function, so
        that its graph revision is recorded in the same transaction.
        """
        if self.statements.graph_change(statement) is GraphChange.NONE:
            return self._query(statement, params, RoutingControl.WRITE)
        return self.transaction(lambda tx: tx.run(statement, **params))

    def run_text(self, text: str, /, **params: Any) -> list[Row]:
        """Run rendered statement text (schema statements) as a write."""
        return self._execute(text, params, RoutingControl.WRITE)

    def transaction(self, work: Callable[["Tx"], Result]) -> Result:
        """Run ``work`` in one managed write transaction and return its result.

        When ``work`` changed the graph, its revision is recorded last, in the
        same transaction. Each attempt the driver makes gathers its own.
        """

        def unit(tx: ManagedTransaction) -> Result:
            attempt = Tx(tx, self.statements)
            result = work(attempt)
            attempt.record_revision(self.revisions_kept)
            return result

        unit_of_work = neo4j.unit_of_work(timeout=self.timeout_s)(unit)
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(unit_of_work)
        except CONNECTIVITY_ERRORS as error:
            raise DatabaseUnavailableError(error) from error

    def read_transaction(self, work: Callable[["Tx"], Result]) -> Result:
        """Run ``work`` in one managed read transaction."""

        def unit(tx: ManagedTransaction) -> Result:
            return work(Tx(tx, self.statements))

        unit_of_work = neo4j.unit_of_work(timeout=self.timeout_s)(unit)
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_read(unit_of_work)
        except CONNECTIVITY_ERRORS as error:
            raise DatabaseUnavailableError(error) from error

    def auto_commit(self, statement: str, /, **params: Any) -> None:
        """Run a statement that manages its own transactions (CALL IN TRANSACTIONS).

        Its inner transactions commit as they go, so the outer one may run as
        long as the work takes: it gets no timeout (0), not the server's.

        One that changes the graph cannot record a revision in those inner
        transactions, so the whole graph is recorded as changed before it
        starts (a reader notices at once) and again after it stops, even when
        it failed part way (a reader that read the graph meanwhile reads again).
        """
        changes_graph = self.statements.graph_change(statement) is not GraphChange.NONE
        query = neo4j.Query(self.statements.get(statement), timeout=0)
        if changes_graph:
            self._record_whole_graph()
        try:
            with self.driver.session(database=self.database) as session:
                session.run(query, params).consume()
        finally:
            if changes_graph:
                self._record_whole_graph()

    def ping(self) -> bool:
        """Tell whether the server answers a query."""
        try:
            return self.read("health_ping")[0]["ok"] == 1
        except (CMDBError, neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
            return False

    def _record_whole_graph(self) -> None:
        def work(tx: Tx) -> None:
            tx.changes.add_whole_graph()

        self.transaction(work)

    def _read_session(self) -> neo4j.Session:
        """A session for auto-commit reads, after what ``execute_query`` wrote."""
        return self.driver.session(
            database=self.database,
            default_access_mode=neo4j.READ_ACCESS,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        )

    def _read_auto_commit(self, query: neo4j.Query, params: dict) -> list[Row]:
        with self._read_session() as session:
            result = session.run(query, params)
            return plain_rows(result.keys(), result)

    def _query(self, name: str, params: dict, routing: RoutingControl) -> list[Row]:
        return self._execute(self.statements.get(name), params, routing)

    def _execute(self, text: str, params: dict, routing: RoutingControl) -> list[Row]:
        try:
            records, _, _ = self.driver.execute_query(
                neo4j.Query(text, timeout=self.timeout_s),
                params,
                database_=self.database,
                routing_=routing,
            )
        except CONNECTIVITY_ERRORS as error:
            raise DatabaseUnavailableError(error) from error
        return [native(record.data()) for record in records]


class Tx:
    """A managed transaction that runs statements by name.

    It gathers, in ``changes``, the CIs its statements changed, for the
    graph revision ``Database.transaction`` records at the end.
    """

    def __init__(self, tx: ManagedTransaction, statements: StatementStore) -> None:
        self._tx = tx
        self._statements = statements
        self.changes = GraphChanges()

    def run(self, statement: str, /, **params: Any) -> list[Row]:
        """Run a statement by name and return its rows as plain dicts."""
        result = self._tx.run(self._statements.get(statement), params)
        rows = [native(record.data()) for record in result]
        self._note(statement, params)
        return rows

    def run_values(self, statement: str, /, **params: Any) -> list[Row]:
        """Run a statement returning only plain values, without conversion.

        See ``Database.read_values``.
        """
        result = self._tx.run(self._statements.get(statement), params)
        rows = plain_rows(result.keys(), result)
        self._note(statement, params)
        return rows

    def record_revision(self, kept: int) -> int | None:
        """Record the graph revision of what this transaction changed, if any.

        Returns the new revision number, or None when nothing was changed.
        The head stays write-locked until commit, so revisions commit in order.
        """
        if not self.changes.touched:
            return None
        params = self.changes.revision()
        revision = self.run("graph_revision_record", **params, keep=kept)[0]["revision"]
        if params["all"]:
            logger.debug("Recorded graph revision %d: the whole graph", revision)
        else:
            logger.debug(
                "Recorded graph revision %d: %d CIs", revision, len(params["cis"])
            )
        return revision

    def _note(self, statement: str, params: dict[str, Any]) -> None:
        change = self._statements.graph_change(statement)
        if change is GraphChange.NAMED:
            self.changes.add_statement(params)
        elif change is GraphChange.WHOLE:
            self.changes.add_whole_graph()


def plain_rows(keys: Sequence[str], records: Iterable[neo4j.Record]) -> list[Row]:
    """Turn records into dicts as the driver decoded them, converting nothing."""
    return [dict(zip(keys, record, strict=True)) for record in records]


def native(value: Any) -> Any:
    """Turn driver temporal values into Python ones, recursively."""
    if isinstance(value, DateTime | Date | Time):
        return value.to_native()
    if isinstance(value, Duration):
        return value
    if isinstance(value, dict):
        return {key: native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [native(item) for item in value]
    return value
