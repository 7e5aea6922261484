"""The safe-space moderation policy: normalising, matching, and a pure `decide` function."""

from groupbot.moderation import compiled as _compiled

_compiled.install()  # before any compiled module is imported: stale ones run from source
