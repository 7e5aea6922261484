"""Builds the optional native fast path of the moderation normaliser.

Everything else is in pyproject.toml. The extension is optional: where no C compiler is
available the install still succeeds and the pure-Python normaliser (the reference the
native code is tested against) does the work, more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "groupbot.moderation._fastpath",
            ["groupbot/moderation/_fastpath.c"],
            optional=True,
        )
    ]
)
