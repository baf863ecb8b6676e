#!/bin/sh
# Prepares a Hermes Agent pod before the gateway starts (rendered by the k8s4claw hermesclaw adapter).
#  1. assembles the managed scope ($HERMES_MANAGED_DIR): pinned config.yaml + .env, which Hermes applies last,
#     so nothing on the data volume can override the API server settings or the keys;
#  2. merges the rendered config into $HERMES_HOME/config.yaml by the Claw's merge mode (the file stays
#     writable: Hermes rewrites it itself);
#  3. installs skills (SKILL.md) without clobbering skills the agent wrote or changed.
# Secrets come from the environment only: never from arguments, never echoed.
set -eu
umask 077

: "${HERMES_HOME:?HERMES_HOME is not set}"
: "${HERMES_MANAGED_DIR:?HERMES_MANAGED_DIR is not set}"
: "${CLAW_CONFIG_DIR:?CLAW_CONFIG_DIR is not set}"
: "${CLAW_MERGE_MODE:?CLAW_MERGE_MODE is not set}"
: "${CLAW_HERMES_UID:=10000}"
: "${CLAW_PYTHON:=python3}"

log() { echo "[k8s4claw-init] $*"; }
owned() { if [ "$(id -u)" = 0 ]; then chown "$@"; fi; }

if [ -z "${API_SERVER_KEY:-}" ]; then
    echo "[k8s4claw-init] API_SERVER_KEY is empty: the generated Secret is missing its key; the operator creates it, check the Claw's status" >&2
    exit 78
fi
if [ "${#API_SERVER_KEY}" -lt 16 ]; then
    echo "[k8s4claw-init] API_SERVER_KEY is shorter than 16 characters, Hermes would refuse to start its API server" >&2
    exit 78
fi

# --- 1. managed scope -------------------------------------------------------------------------------
mkdir -p "$HERMES_MANAGED_DIR"
cp "$CLAW_CONFIG_DIR/managed-config.yaml" "$HERMES_MANAGED_DIR/config.yaml.tmp"
{
    cat "$CLAW_CONFIG_DIR/managed.env"
    printf 'API_SERVER_KEY=%s\n' "$API_SERVER_KEY"
    if [ -n "${GATEWAY_RELAY_SECRET:-}" ]; then
        printf 'GATEWAY_RELAY_SECRET=%s\n' "$GATEWAY_RELAY_SECRET"
    fi
} > "$HERMES_MANAGED_DIR/.env.tmp"
chmod 0444 "$HERMES_MANAGED_DIR/config.yaml.tmp"
chmod 0400 "$HERMES_MANAGED_DIR/.env.tmp"
owned "$CLAW_HERMES_UID:$CLAW_HERMES_UID" "$HERMES_MANAGED_DIR/config.yaml.tmp" "$HERMES_MANAGED_DIR/.env.tmp"
mv -f "$HERMES_MANAGED_DIR/config.yaml.tmp" "$HERMES_MANAGED_DIR/config.yaml"
mv -f "$HERMES_MANAGED_DIR/.env.tmp" "$HERMES_MANAGED_DIR/.env"
log "managed scope ready in $HERMES_MANAGED_DIR"

# --- 2. config.yaml on the volume ---------------------------------------------------------------------
mkdir -p "$HERMES_HOME"
umask 022
"$CLAW_PYTHON" -I "$CLAW_CONFIG_DIR/merge_config.py" "$CLAW_MERGE_MODE" "$CLAW_CONFIG_DIR/config.yaml" "$HERMES_HOME/config.yaml"
owned "$CLAW_HERMES_UID:$CLAW_HERMES_UID" "$HERMES_HOME/config.yaml"

# --- 3. skills -----------------------------------------------------------------------------------------
# A skill k8s4claw installed carries .k8s4claw-skill with the sha256 of the SKILL.md it wrote. It is updated
# only while the agent has not changed it; directories without the marker belong to the agent.
if [ -n "${CLAW_SKILLS_SRC:-}" ] && [ -d "$CLAW_SKILLS_SRC" ]; then
    : "${CLAW_SKILLS_DIR:?CLAW_SKILLS_DIR is not set}"
    mkdir -p "$CLAW_SKILLS_DIR"
    for src in "$CLAW_SKILLS_SRC"/*/SKILL.md; do
        [ -f "$src" ] || continue
        name=$(basename "$(dirname "$src")")
        dest="$CLAW_SKILLS_DIR/$name"
        marker="$dest/.k8s4claw-skill"
        wanted=$(sha256sum < "$src" | cut -d' ' -f1)
        if [ -e "$dest" ] && [ ! -f "$marker" ]; then
            log "skill $name: $dest exists and was not installed by k8s4claw (the agent owns it); left alone"
            continue
        fi
        if [ -f "$marker" ]; then
            installed=$(cat "$marker")
            current=""
            if [ -f "$dest/SKILL.md" ]; then current=$(sha256sum < "$dest/SKILL.md" | cut -d' ' -f1); fi
            if [ "$current" != "$installed" ]; then
                log "skill $name: changed by the agent since k8s4claw installed it; left alone"
                continue
            fi
            if [ "$installed" = "$wanted" ]; then
                log "skill $name: up to date"
                continue
            fi
        fi
        rm -rf "$dest.k8s4claw-tmp"
        mkdir -p "$dest.k8s4claw-tmp"
        cp "$src" "$dest.k8s4claw-tmp/SKILL.md"
        printf '%s\n' "$wanted" > "$dest.k8s4claw-tmp/.k8s4claw-skill"
        if [ -e "$dest" ]; then
            cp "$dest.k8s4claw-tmp/SKILL.md" "$dest/SKILL.md"
            cp "$dest.k8s4claw-tmp/.k8s4claw-skill" "$marker"
            rm -rf "$dest.k8s4claw-tmp"
            log "skill $name: updated"
        else
            mv "$dest.k8s4claw-tmp" "$dest"
            log "skill $name: installed"
        fi
        owned -R "$CLAW_HERMES_UID:$CLAW_HERMES_UID" "$dest"
    done
fi
log "done"
