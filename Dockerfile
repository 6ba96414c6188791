# The CMDB service image. Neo4j runs in its own container (docker-compose.yml).
FROM python:3.11-slim

WORKDIR /srv/cmdb
COPY pyproject.toml README.md ./
COPY app ./app
COPY importers ./importers
COPY schema ./schema
COPY queries ./queries
RUN pip install --no-cache-dir .

ENV CMDB_SCHEMA_DIR=/srv/cmdb/schema \
    CMDB_QUERIES_DIR=/srv/cmdb/queries \
    CMDB_API_HOST=0.0.0.0
EXPOSE 8000
CMD ["sh", "-c", "cmdb schema apply && cmdb serve"]
