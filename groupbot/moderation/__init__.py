"""The safe-space moderation policy: normalising, matching, and a pure `decide` function."""
