# tonari server image. Build context: the repository root (see .dockerignore).
#   docker build -t tonari .
# docker-compose.yml builds and runs it next to PostgreSQL and Mosquitto;
# docs/operations.md lists the environment it reads.

# --- build: compile the server (tsc) and the web app (vite) --------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies and the build output only ----------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The server serves the web app from ./web/dist, relative to its working directory.
COPY --from=build /app/web/dist ./web/dist
# DATA_DIR is only used without DATABASE_URL (embedded PostgreSQL); it must still be
# writable by the unprivileged user that runs the server.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# /healthz answers 200 only while both the database and the MQTT broker are reachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node as PID 1 gets SIGTERM from `docker stop` directly and shuts down gracefully.
CMD ["node", "--enable-source-maps", "dist/server/src/main.js"]
