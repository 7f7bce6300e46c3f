# One image for every strangler process; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY . .
# npm ci builds every package (root "prepare" script); then drop what only builds and tests need.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
USER node
