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
COPY pyproject.toml setup.py README.md ./
COPY groupbot ./groupbot
COPY prompts ./prompts
COPY seeds ./seeds
# A C compiler only while installing: it builds the moderation engine's native fast path
# and its mypyc-compiled modules (without it the install still works, on the slower
# pure-Python path). The check below fails the image build if either is missing.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install . \
    && (cd / && python -c "from groupbot.moderation import compiled, fastpath; \
assert fastpath.NATIVE, fastpath.WHY; assert compiled.running_compiled() == compiled.MODULES, compiled.PLAN") \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 groupbot \
    && mkdir -p /data && chown groupbot:groupbot /data

USER groupbot
VOLUME ["/data"]
ENTRYPOINT ["groupbot"]
CMD ["run"]
