# loadlab as a container image, for `loadlab k8s` (docs/distributed.md):
#   docker build -t registry.example/loadlab:1 . && docker push registry.example/loadlab:1
# The entrypoint is the CLI: `docker run IMAGE run scenario.yaml --target URL`.
# NODE_IMAGE: the Node 20 base of both stages; any image with node and npm on the PATH and a
# `node` user will do (bench/docker-image.sh builds one from Debian where Docker Hub is out of reach).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scenarios ./scenarios
# Not root: the reference service's embedded PostgreSQL refuses to run as root, and a load generator needs no privilege.
USER node
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
