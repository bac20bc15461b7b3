# One image per service, built from one recipe: `--target booking-service` or
# `--target edge-server`. docker-compose.yml builds both. The app user's uid is fixed
# (10001): the compose credentials service gives it the password files it may read.
# PYTHON_IMAGE names the base: any image with Python 3.11+ whose `python` and `pip` are
# first on PATH (scripts/stand-in-images.sh builds one where no registry is reachable).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0
WORKDIR /app
# The dependencies get a layer of their own, so a change to the code reinstalls only
# the project, not every wheel.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" >/tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY README.md ./
COPY shared ./shared
COPY booking_service ./booking_service
COPY edge_server ./edge_server
COPY venues ./venues
RUN pip install --no-cache-dir --no-deps . && useradd --system --uid 10001 --home /app app && mkdir /data && chown app /data
USER app

FROM base AS booking-service
ENV PORT=8080 DATA_DIR=/data
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=2s --retries=6 CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=1)"]
CMD ["python", "-m", "booking_service"]

FROM base AS edge-server
ENV PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=2s --retries=6 CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/health\", timeout=1)"]
CMD ["python", "-m", "edge_server"]
