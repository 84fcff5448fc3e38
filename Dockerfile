# One image for every Apiary process: `apiary serve`, `apiary worker`, `apiary optimize`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
# python3 for shell-command evaluators written in Python (examples/branin/branin.py).
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY package.json nx.json tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
COPY examples ./examples
RUN npm install --no-audit --no-fund && npx nx run-many -t build --projects=tag:scope:lib,tag:scope:app
ENTRYPOINT ["node", "apps/cli/bin/apiary.js"]
CMD ["--help"]
