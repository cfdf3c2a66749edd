# syntax=docker/dockerfile:1

# Only the workspace manifests, whatever packages there are: the installs below are then rebuilt when a
# manifest changes, not on every source edit.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY packages ./packages
RUN find packages -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# The build: every dependency (esbuild is a dev dependency), then scripts/build.mjs bundles each
# program into dist/. --ignore-scripts: the `prepare` build would run before the sources are here, and
# no dependency needs an install script (esbuild's binary comes as an optional package).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app/packages ./packages
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY scripts ./scripts
COPY packages ./packages
RUN node scripts/build.mjs --force

# Production dependencies only: the packages dist/ loads from node_modules (pg, PGlite, ...).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app/packages ./packages
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The image: node_modules, the workspace manifests (which node_modules/@icash links to), dist/ and the
# shipped data/; no TypeScript sources, no build tools.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/dist ./dist
COPY data ./data
# Log files go outside the WORKDIR, which belongs to root: LOG_DIR's default (`logs`, relative to
# /app) would not be writable by `node`. docker-compose.yml mounts its `logs` volume here; a new
# named volume takes this directory's owner, so the services can write to it.
ENV LOG_DIR=/var/log/icash
RUN mkdir -p /var/log/icash /var/lib/icash && chown node:node /var/log/icash /var/lib/icash
USER node
EXPOSE 8000 8001 3000
# node itself, not npm, is PID 1 so that SIGTERM reaches the Effect runtime directly. The other
# programs: dist/store-analytics.js, dist/migrate.js, dist/seed.js, dist/web.js (the dashboard, which
# serves dist/web/; see docker-compose.yml).
CMD ["node", "dist/cash-register.js"]
