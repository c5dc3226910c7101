# Production-like image: gunicorn serving the app; boundaries and Leaflet come from npm at build time.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/copy-vendor.sh scripts/
RUN bash scripts/copy-vendor.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and fonts: the planners' PDF report (WeasyPrint).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        fonts-dejavu-core fontconfig \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# Editable install: the package finds templates/, static/, migrations/ and geodata/ beside it.
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && pybabel compile --directory mapserver/translations --domain messages \
    && pybabel compile --directory mapserver/translations --domain staff \
    && useradd --system --home /app glaswaende
COPY --from=assets /app/node_modules ./node_modules
COPY --from=assets /app/static/vendor ./static/vendor
RUN glaswaende assets build
USER glaswaende
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4)"
CMD ["sh", "-c", "glaswaende db upgrade && glaswaende import-boundaries && exec glaswaende serve --host 0.0.0.0 --port 5000 --workers 3"]
