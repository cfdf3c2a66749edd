# syntax=docker/dockerfile:1

# Only the workspace manifests, whatever packages there are: the install below is then rebuilt when a
# manifest changes, not on every source edit.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY packages ./packages
RUN find packages -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# Production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app/packages ./packages
# tsx is a runtime dependency: the services run straight from their TypeScript sources. No install
# script is needed (esbuild, msgpackr and @parcel/watcher ship prebuilt binaries as optional packages).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
# tsx takes compiler options (verbatimModuleSyntax, class-field semantics) from the root tsconfig,
# so the code runs as it does in development.
COPY tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY data ./data
# Log files go outside the WORKDIR, which belongs to root: LOG_DIR's default (`logs`, relative to
# /app) would not be writable by `node`. docker-compose.yml mounts its `logs` volume here; a new
# named volume takes this directory's owner, so the services can write to it.
ENV LOG_DIR=/var/log/icash
RUN mkdir -p /var/log/icash && chown node:node /var/log/icash
USER node
EXPOSE 8000 8001
# node itself, not npm or the tsx CLI, is PID 1 so that SIGTERM reaches the Effect runtime directly.
CMD ["node", "--import", "tsx", "packages/cash-register/src/main.ts"]
