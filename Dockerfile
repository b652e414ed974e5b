# syntax=docker/dockerfile:1
# One multi-stage build for the four services: a shared build stage installs the workspace once; each service has its own final stage (non-root, with a healthcheck on its
# /readyz probe). Build one with e.g. `docker build --target core-config -t voltha/core-config .`;
# docker-compose.yml builds them all.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps ./apps
COPY libs ./libs
COPY protos ./protos
COPY tools ./tools
COPY tsconfig.base.json nx.json .swcrc ./
RUN node tools/scripts/fix-lockfile.mjs --check && npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production SWC_NODE_PROJECT=/app/tsconfig.base.json
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
# Every service answers GET /readyz on its probe port (PROBE_PORT).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PROBE_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

FROM runtime AS core-config
ENV PROBE_PORT=8080 DATA_DIR=/data
USER root
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 50057 8080
CMD ["node", "-r", "@swc-node/register", "apps/core-config/src/main.ts"]

FROM runtime AS flow-decomposer
ENV PROBE_PORT=8083
EXPOSE 50059 8083
CMD ["node", "-r", "@swc-node/register", "apps/flow-decomposer/src/main.ts"]

FROM runtime AS adapter-agent
ENV PROBE_PORT=8081
EXPOSE 50060 8081
CMD ["node", "-r", "@swc-node/register", "apps/adapter-agent/src/main.ts"]

FROM runtime AS rest-gateway
ENV PROBE_PORT=8082
EXPOSE 8881 8082
CMD ["node", "-r", "@swc-node/register", "apps/rest-gateway/src/main.ts"]
