# syntax=docker/dockerfile:1
#
# One image runs every cratedigger role; SERVICES picks what a container runs and TRANSPORTER joins
# it to the cluster. No HEALTHCHECK here: docker-compose.yml declares one per role (the gateway's
# /health for api, the metrics endpoint for the others).

# --- build: full dependencies, compile TypeScript to dist/ ---------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so a source change does not reinstall them. Nothing here needs an install
# script (tsc is plain JavaScript), so none run.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund

COPY . .
RUN npm run build

# --- runtime: production dependencies and the compiled output only -------------------------------
# Packages only the benchmarks use (bottleneck, music-tempo) are devDependencies and stay out.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    METRICS_PORT=3030 \
    DATA_DIR=/app/data
WORKDIR /app

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Code stays owned by root (read-only to the app); only the data directory is writable.
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data

USER node
# 3000: HTTP gateway (api role). 3030: Prometheus metrics at /metrics (every role).
EXPOSE 3000 3030
STOPSIGNAL SIGTERM
CMD ["node", "dist/bin/cratedigger.js"]
