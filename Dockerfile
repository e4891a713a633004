# The phancong image: the worker (`phancong worker`), migrations (`phancong db migrate`) and every command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PHANCONG_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY phancong phancong
COPY app app
COPY gateway gateway
COPY accounts accounts
COPY api api
COPY web web
COPY infra infra
COPY wording wording
COPY events events
COPY domain domain
COPY directory directory
COPY directives directives
COPY notifications notifications
COPY projections projections
COPY simulation simulation
COPY workflows workflows
COPY activities activities
COPY migrations migrations
COPY worker.py ./
# The web app serves htmx itself: fetched from the npm registry, checked against its pinned SHA-512, before the
# package (and its static files) is installed. Production talks to real servers: no embedded PostgreSQL or
# Temporal in the image.
RUN python -m phancong.vendor htmx \
    && pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --uid 10001 phancong
USER phancong

ENTRYPOINT ["phancong"]
CMD ["worker"]
