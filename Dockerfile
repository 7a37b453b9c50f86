# Oversight in production: PostgreSQL via OVERSIGHT_DATABASE_URL, JSON logs, non-root.
# Build: docker build -t oversight .
# Migrate: docker run --rm -e OVERSIGHT_DATABASE_URL=... -e OVERSIGHT_SECRET_KEY=... oversight oversight migrate
# Serve:   docker run -p 8000:8000 -e OVERSIGHT_DATABASE_URL=... -e OVERSIGHT_SECRET_KEY=... oversight

FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    OVERSIGHT_ENV=production \
    OVERSIGHT_LOG_FORMAT=json
WORKDIR /app
RUN useradd --create-home --uid 10001 oversight
COPY pyproject.toml requirements.lock alembic.ini ./
COPY api ./api
COPY domain ./domain
COPY web ./web
COPY migrations ./migrations
# Editable, so templates, static files, alembic.ini and node_modules sit beside the code.
RUN pip install -c requirements.lock -e . && mkdir -p /app/var && chown oversight /app/var
COPY --from=assets /app/node_modules ./node_modules
USER oversight
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
CMD ["oversight", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
