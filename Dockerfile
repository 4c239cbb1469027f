# The catalog's image: run-time requirements only, static files collected at build, a non-root user.
#   docker build -t course-catalog .     (docker-compose.yml builds and runs it with PostgreSQL and Redis)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Management commands need no secret, so the manifest of hashed static files is made here, once.
RUN python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin catalog \
    && mkdir -p /app/var \
    && chown catalog /app/var

USER catalog
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
