#!/bin/sh
# groupbot's container entrypoint: before the bot starts, check that this container's user can
# write where the database goes (a bind-mounted host folder keeps its host owner, often root,
# while the image runs as uid 10001), and say plainly how to fix it when not. Then run
# `groupbot` with the container's arguments (`run` by default).
set -eu

say() { printf '%s\n' "$*" >&2; }

needs_database=yes
case "${1:-run}" in
    --version|--help|-h|commands|health|moderate|prompts) needs_database=no ;;
esac

db="${GROUPBOT_DATABASE:-/data/groupbot.db}"
case "$db" in
    :memory:|file:*) needs_database=no ;;
    postgresql://*|postgres://*) needs_database=no ;;  # a server, not a file here
    */*) dir="${db%/*}" ;;
    *) dir=. ;;
esac

if [ "$needs_database" = yes ]; then
    dir="${dir:-/}"
    uid="$(id -u)"
    gid="$(id -g)"
    if [ ! -d "$dir" ] && ! mkdir -p "$dir" 2>/dev/null; then
        say "groupbot: the database folder $dir does not exist and cannot be created by this"
        say "container's user (uid $uid, gid $gid). Mount a volume there, for example:"
        say "    docker run -v groupbot-data:${dir} ..."
        exit 2
    fi
    probe="$dir/.groupbot-write-check.$$"
    if ! (: > "$probe") 2>/dev/null || { [ -e "$db" ] && [ ! -w "$db" ]; }; then
        rm -f "$probe" 2>/dev/null || true
        owner="$(stat -c '%u:%g' "$dir" 2>/dev/null || echo unknown)"
        say "groupbot: cannot write the database $db: this container runs as uid $uid"
        say "(gid $gid), and $dir belongs to $owner. A bind-mounted host folder keeps its"
        say "owner on the host. Any one of these fixes it:"
        say "  - give the folder to the container's user, on the host:"
        say "        sudo chown -R $uid:$gid /path/on/the/host"
        say "  - use a named volume instead, which Docker creates for that user:"
        say "        docker run -v groupbot-data:${dir} ..."
        say "  - run the container as the folder's owner: docker run --user UID:GID ..."
        exit 2
    fi
    rm -f "$probe"
fi

exec groupbot "$@"
