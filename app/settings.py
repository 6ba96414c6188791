"""Settings of the service, read once from the environment.

This is the only module that reads the environment. Every setting has an
environment variable named ``CMDB_<FIELD>``; the Neo4j connection settings also
answer to the conventional ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE``.
"""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]


def _env(name: str) -> AliasChoices:
    """Accept both ``NEO4J_X`` and ``CMDB_NEO4J_X`` for a Neo4j setting."""
    return AliasChoices(name, f"CMDB_{name}")


class VCenterSettings(BaseModel):
    """One vCenter the vSphere importer syncs; the password stays in its file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)
    url: str
    user: str
    password_file: Path
    insecure: bool = False
    ca_file: Path | None = None


class Settings(BaseSettings):
    """Every setting of the service, with its default."""

    model_config = SettingsConfigDict(
        env_prefix="CMDB_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Connection. When neo4j_uri is given, nothing is provisioned.
    neo4j_uri: str | None = Field(default=None, validation_alias=_env("NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=_env("NEO4J_USER"))
    neo4j_password: SecretStr = Field(
        default=SecretStr("cmdb-local-password"),
        validation_alias=_env("NEO4J_PASSWORD"),
    )
    neo4j_database: str = Field(
        default="neo4j", validation_alias=_env("NEO4J_DATABASE")
    )
    neo4j_transaction_timeout_s: float = 60.0

    # The server the project provisions itself from Maven Central.
    cache_dir: Path = Path.home() / ".cache" / "cmdb"
    neo4j_instance: str = "default"
    neo4j_version_range: str = "[5.26.0,5.27.0)"
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "4g"
    neo4j_pagecache: str = "4g"
    neo4j_start_timeout_s: float = 180.0
    java_home: Path | None = Field(
        default=None, validation_alias=AliasChoices("JAVA_HOME", "CMDB_JAVA_HOME")
    )

    # Catalogue and statements.
    schema_dir: Path = REPOSITORY_ROOT / "schema"
    queries_dir: Path = REPOSITORY_ROOT / "queries"

    # The HTTP service.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    graphiql: bool = True
    log_level: str = "INFO"

    # Writes and reads.
    batch_size: int = 5000
    max_page_size: int = 500

    # Importers. CMDB_VCENTERS is a JSON list of {id, url, user, password_file,
    # insecure, ca_file}; CMDB_SYNC_GRACE_PERIOD is seconds or ISO 8601 (PT24H).
    vcenters: list[VCenterSettings] = Field(default_factory=list)
    sync_grace_period: timedelta = timedelta(hours=24)
    vsphere_page_size: int = Field(default=1000, ge=1)
    vsphere_timeout_s: float = 60.0

    # Security. Authentication stays on unless switched off for local use.
    auth_enabled: bool = True
    graphql_introspection: bool = True
    token_touch_interval_s: float = 60.0
    # How long a checked token is trusted without asking the graph again; a
    # revocation takes effect within this time. 0 asks on every request.
    token_cache_s: float = Field(default=5.0, ge=0)

    # Bounds on one request.
    max_query_depth: int = Field(default=12, ge=1)
    max_query_aliases: int = Field(default=30, ge=1)
    max_query_tokens: int = Field(default=2000, ge=1)
    max_batch_operations: int = Field(default=10, ge=1)
    max_request_bytes: int = Field(default=10_000_000, ge=1)
    max_load_entries: int = Field(default=50_000, ge=1)
    # The API keeps the dependency graph in memory for impact analysis (about
    # 0.7 GiB at a million CIs), read in the background at start.
    impact_index: bool = True
    max_impact_depth: int = Field(default=50, ge=0)
    max_impact_affected: int = Field(default=100_000, ge=1)
    request_timeout_s: float = Field(default=30.0, gt=0)

    # How long the driver keeps retrying before a request fails UNAVAILABLE.
    neo4j_max_retry_time_s: float = Field(default=10.0, ge=0)
    neo4j_connection_timeout_s: float = Field(default=5.0, gt=0)

    @property
    def bolt_uri(self) -> str:
        """The URI to connect to: the given one, or the provisioned server's."""
        return self.neo4j_uri or f"neo4j://127.0.0.1:{self.neo4j_bolt_port}"

    @property
    def instance_dir(self) -> Path:
        """Where the provisioned server keeps configuration, data and logs."""
        return self.cache_dir / "instances" / self.neo4j_instance


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
