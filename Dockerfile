# groupbot: slim Python, a non-root user, the database on a volume.
# The platform is chosen by environment: GROUPBOT_PLATFORM=discord|slack|console, with tokens
# (DISCORD_TOKEN, SLACK_BOT_TOKEN, ...) passed at run time, never baked into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GROUPBOT_DATABASE=/data/groupbot.db \
    GROUPBOT_PLATFORM=discord

WORKDIR /app
COPY pyproject.toml README.md ./
COPY groupbot ./groupbot
COPY prompts ./prompts
COPY seeds ./seeds
RUN pip install . \
    && useradd --create-home --uid 10001 groupbot \
    && mkdir -p /data && chown groupbot:groupbot /data

USER groupbot
VOLUME ["/data"]
ENTRYPOINT ["groupbot"]
CMD ["run"]
