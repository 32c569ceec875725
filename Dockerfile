# One image for all five services; compose.yaml picks the service with `command`.
# Stage 1 builds the web UI (served by the gateway); nothing is fetched at run time.
FROM node:20-slim AS ui
WORKDIR /ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    S3C_UI_DIST=/app/ui/dist

RUN pip install --no-cache-dir uv

WORKDIR /app
# Only what the workspace needs: copying the whole checkout would also bring a host .venv/
# and .s3c/ data into the image.
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN uv sync --locked --no-dev
COPY --from=ui /ui/dist ./ui/dist

ENV PATH="/app/.venv/bin:$PATH"

# A fixed numeric user: Kubernetes' runAsNonRoot can only check a numeric USER
# (deploy/k8s runs the pods as 10001 too).
RUN useradd --system --uid 10001 --no-create-home s3c
USER 10001

EXPOSE 5000
CMD ["python", "-m", "s3c_gateway"]
