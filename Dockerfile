# groupbot: slim Python, a non-root user, the database on a volume.
# The platform is chosen by environment: GROUPBOT_PLATFORM=discord|slack|console, with tokens
# (DISCORD_TOKEN, SLACK_BOT_TOKEN, ...) passed at run time, never baked into the image.
# docker-compose.yml has examples for Discord and for Slack's HTTP mode.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GROUPBOT_DATABASE=/data/groupbot.db \
    GROUPBOT_PLATFORM=discord \
    GROUPBOT_HEARTBEAT=/tmp/groupbot.heartbeat

WORKDIR /app
# (.dockerignore keeps local builds, caches and databases out of the context)
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY groupbot ./groupbot
# prompts/ and seeds/ go into the package itself (setup.py maps them to groupbot/content/),
# as with any `pip install .`: the image reads them from there, like every installed groupbot.
COPY prompts ./prompts
COPY seeds ./seeds
COPY docker/entrypoint.sh /usr/local/bin/groupbot-entrypoint
# A C compiler only while installing: it builds the moderation engine's native fast path
# and its mypyc-compiled modules (without it the install still works, on the slower
# pure-Python path). The check below fails the image build if either is missing, or if the
# installed package is missing its prompts or seeds.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install . \
    && (cd / && python -c "from groupbot.moderation import compiled, fastpath; \
assert fastpath.NATIVE, fastpath.WHY; assert compiled.running_compiled() == compiled.MODULES, compiled.PLAN; \
from groupbot.config import default_content_path as c; \
assert '/site-packages/' in str(c('prompts')) and c('seeds').is_dir(), c('prompts')") \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/* \
    && rm -rf /app \
    && chmod 0755 /usr/local/bin/groupbot-entrypoint \
    && useradd --create-home --uid 10001 groupbot \
    && mkdir -p /data && chown groupbot:groupbot /data

WORKDIR /home/groupbot
USER groupbot
VOLUME ["/data"]
# Slack's HTTP mode (`groupbot run --platform slack --http --port 3000`); Discord and Slack's
# Socket Mode need no port.
EXPOSE 3000
# The event loop touches $GROUPBOT_HEARTBEAT; a stuck or stopped bot turns unhealthy.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["groupbot", "health"]
# Checks that /data is writable by this user (uid 10001) with a clear message, then groupbot.
ENTRYPOINT ["groupbot-entrypoint"]
CMD ["run"]
