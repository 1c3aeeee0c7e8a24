#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests: its own cluster in a temporary folder, on 127.0.0.1 and a free port,
# its socket in that folder (never /tmp, never 5432). Installs Debian's postgresql-15 when missing (root).
#
#   source .ci/pg-start.sh            exports HOCLIEU_TEST_DATABASE_URL in this shell; the cluster is stopped
#                                     and removed when the shell exits (an EXIT trap; an earlier one still runs)
#   .ci/pg-start.sh COMMAND ARGS...   runs COMMAND with HOCLIEU_TEST_DATABASE_URL set, then stops the cluster
#
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user of the Debian package.
# Without root and without the binaries it says why and returns 1 (the caller's tests then skip PostgreSQL).

hoclieu_pg_start() {
    local version=${HOCLIEU_PG_VERSION:-15}
    local bin=/usr/lib/postgresql/$version/bin
    if [ ! -x "$bin/initdb" ]; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
                "postgresql-$version" postgresql-contrib >/dev/null
        elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo apt-get update -qq
            sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
                "postgresql-$version" postgresql-contrib >/dev/null
        else
            echo "pg-start: PostgreSQL $version is not installed ($bin/initdb) and this user cannot install it" >&2
            return 1
        fi
    fi

    local run=()
    local root
    root=$(mktemp -d -t hoclieu-pg.XXXXXX) || return 1
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        chown postgres: "$root"
        run=(runuser -u postgres --)
    fi
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1

    if ! "${run[@]}" "$bin/initdb" -D "$root/data" --auth=trust -U hoclieu -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1; then
        echo "pg-start: initdb failed:" >&2
        cat "$root/initdb.log" >&2
        rm -rf "$root"
        return 1
    fi
    # fsync off: a test cluster is thrown away; nothing in it must survive a power cut.
    if ! "${run[@]}" "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -k $root -p $port -c fsync=off -c max_connections=200" start >/dev/null; then
        echo "pg-start: the server did not start:" >&2
        cat "$root/server.log" >&2
        rm -rf "$root"
        return 1
    fi
    "${run[@]}" "$bin/createdb" -h "$root" -p "$port" -U hoclieu hoclieu_test || return 1

    HOCLIEU_PG_ROOT=$root
    HOCLIEU_PG_BIN=$bin
    HOCLIEU_PG_PORT=$port
    export HOCLIEU_TEST_DATABASE_URL="postgres://hoclieu@127.0.0.1:$port/hoclieu_test"
    echo "pg-start: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $root on 127.0.0.1:$port"
    echo "HOCLIEU_TEST_DATABASE_URL=$HOCLIEU_TEST_DATABASE_URL"
}

hoclieu_pg_stop() {
    [ -n "${HOCLIEU_PG_ROOT:-}" ] || return 0
    local run=()
    [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$HOCLIEU_PG_BIN/pg_ctl" -D "$HOCLIEU_PG_ROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$HOCLIEU_PG_ROOT"
    echo "pg-start: stopped the cluster on port $HOCLIEU_PG_PORT"
    HOCLIEU_PG_ROOT=
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: keep the caller's EXIT trap and run ours after it.
    if hoclieu_pg_start; then
        __hoclieu_pg_previous_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
        trap "${__hoclieu_pg_previous_trap:+$__hoclieu_pg_previous_trap; }hoclieu_pg_stop" EXIT
    else
        unset HOCLIEU_TEST_DATABASE_URL
        false
    fi
else
    set -uo pipefail
    hoclieu_pg_start || exit 1
    trap hoclieu_pg_stop EXIT
    if [ $# -gt 0 ]; then
        "$@"
        exit $?
    fi
    echo "pg-start: no command given; stopping (use 'source .ci/pg-start.sh' to keep the cluster for this shell)"
fi
