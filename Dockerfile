# Atrium api and worker image. Build: docker build -t atrium .
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Invoices are written in Liberation Sans (a TrueType font covering Polish, German, Cyrillic…); see BILLING_INVOICE_FONT.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-liberation && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# DATA_DIR (.data): uploaded documents with the local storage driver (a volume in docker-compose.yml), mail files.
RUN mkdir -p /app/.data/uploads && chown -R node:node /app/.data
USER node
EXPOSE 3000
# The api; the worker service overrides the command.
# A larger young generation: fewer scavenges under request load (measured with `npm run bench`, see README).
CMD ["node", "--min-semi-space-size=16", "--max-semi-space-size=32", "dist/apps/api/apps/api/src/main.js"]
