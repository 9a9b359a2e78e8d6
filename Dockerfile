# 攀登助手 (pandeng): the bot, its outbox sender and scheduler in one process.
# Build: docker build -t pandeng .   Run with compose.yaml (bot + PostgreSQL 15).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Asia/Shanghai

WORKDIR /app
# Only what the package needs at run time (.dockerignore keeps tests, docs and local databases out).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY nlp ./nlp
COPY storage ./storage
RUN pip install --no-cache-dir . \
    && groupadd --system --gid 10001 pandeng \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --create-home pandeng

USER 10001:10001
WORKDIR /data
# SQLite fallback lives on the volume; compose points PANDENG_DATABASE_URL at PostgreSQL.
ENV PANDENG_DATABASE_URL=sqlite+aiosqlite:////data/pandeng.db \
    PANDENG_LOG_LEVEL=INFO \
    PANDENG_WEBHOOK_PORT=8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["pandeng", "health"]
ENTRYPOINT ["pandeng"]
CMD ["run"]
