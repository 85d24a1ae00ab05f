# mist-wan-exporter: slim, non-root image; `docker compose up` builds it for the exporter and the simulator.
# Dependencies come from the pinned, hashed requirements.txt (`make lock` upgrades it on purpose).
FROM python:3.11.10-slim-bookworm AS build
WORKDIR /src
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY pyproject.toml README.md ./
COPY exporter ./exporter
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

FROM python:3.11.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY requirements.txt /tmp/requirements.txt
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels /tmp/requirements.txt \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin exporter
USER 10001
EXPOSE 9842
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9842/healthz', timeout=4)"]
ENTRYPOINT ["mist-wan-exporter"]
