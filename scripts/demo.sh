#!/usr/bin/env bash
# The README's demonstration: the metasource command on SQLite, nothing else
# installed. From the repository root it (re)creates ./.metasource/ with a
# config and a database file, migrates, imports the sample metadata
# (examples/metadata/tenants), queries it, has a version conflict refused,
# exports, and compares the export and the files with the database.
#
# Each step prints a heading saying what happens and why, then each command
# (as `$ metasource ...`) and its output, stderr included. Every command's
# exit code and a line of its output are checked: when a step does not do
# what its heading announces, the demo stops with "demo: FAILED" and exit 1.
# Run it with `npx --yes pnpm@12.4.2 run demo` after `run build`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLI=packages/cli/dist/cli.js
SAMPLE=examples/metadata/tenants
DEMO=.metasource
CONFIG="$DEMO/metasource.json"

if [ ! -f "$CLI" ]; then
  echo "demo: $CLI does not exist: build first (npx --yes pnpm@12.4.2 run build)" >&2
  exit 2
fi
if [ ! -d "$SAMPLE" ]; then
  echo "demo: the sample metadata $SAMPLE is missing" >&2
  exit 2
fi

STEP=0
STEPS=8

fail() {
  printf '\ndemo: FAILED at step %s: %s\n' "$STEP" "$*" >&2
  exit 1
}

# A step's heading and the lines that say what it does and why.
step() {
  STEP=$((STEP + 1))
  printf '\n== Step %s of %s: %s ==\n' "$STEP" "$STEPS" "$1"
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line"; done
}

# An argument as a reader would type it: bare when it is plain, else in single quotes.
shown() {
  local arg=$1
  if [[ $arg =~ ^[A-Za-z0-9_./:@=,+-]+$ ]]; then
    printf '%s' "$arg"
  else
    printf "'%s'" "${arg//\'/\'\\\'\'}"
  fi
}

# run EXIT TEXT ARGS...: prints `$ metasource ARGS`, runs it (stderr with stdout), prints its
# output, and fails unless it exits with EXIT and its output contains the line part TEXT.
run() {
  local expected=$1 text=$2
  shift 2
  local words=() arg
  for arg in "$@"; do words+=("$(shown "$arg")"); done
  printf '\n$ metasource %s\n' "${words[*]}"
  local output status=0
  output="$(node "$CLI" --config "$CONFIG" "$@" 2>&1)" || status=$?
  printf '%s\n' "$output"
  if [ "$status" -ne 0 ]; then printf '(exit status %s)\n' "$status"; fi
  [ "$status" -eq "$expected" ] || fail "metasource $1 exited with $status, not $expected"
  grep -qF -- "$text" <<<"$output" || fail "metasource $1 did not print: $text"
}

# show FILE: prints `$ cat FILE` and the file.
show() {
  printf '\n$ cat %s\n' "$1"
  cat "$1"
}

printf 'Metasource demo: the metasource command on SQLite, in %s/ (removed and made anew on every run).\n' "$DEMO"
printf 'Each "$ metasource ..." below runs %s with --config %s; to type them yourself:\n' "$CLI" "$CONFIG"
printf "  alias metasource='node %s --config %s'\n" "$CLI" "$CONFIG"

step 'a config for an embedded database' \
  'A MetasourceConfig names the datasources and which one holds the metadata. SQLite needs no server:' \
  'the database is one file. autoMigrate is off, so the tables are created by an explicit migration (step 3).'
rm -rf "$DEMO"
mkdir "$DEMO"
cat >"$CONFIG" <<'JSON'
{
  "$schema": "../packages/spec/json-schema/input/metasource-config.json",
  "datasources": [{ "driver": "sqlite", "name": "metadata_db", "connection": { "filename": "./.metasource/demo.db" } }],
  "metadata": { "datasource": "metadata_db", "migration": { "autoMigrate": false } }
}
JSON
show "$CONFIG"

step 'validate before anything touches a database' \
  'The config and every file of the sample tree (two tenants, acme and globex) are checked against the' \
  "protocol's schemas; a problem would be shown as file:line:column, and the demo would stop here."
run 0 '2 files checked (214 records): 2 valid, 0 invalid; 0 errors, 0 warnings' validate "$CONFIG" "$SAMPLE"

step 'create the tables' \
  'migrate prints the plan (every statement) and, with --apply, runs it under the migration lock, in one' \
  'transaction on SQLite: a failure would leave nothing half made.'
run 0 '1 step applied in' migrate --apply

step 'import the sample metadata' \
  'The tree is read twice: first every record is checked, then the records are written in batches, each' \
  'batch one transaction. Every item gets version 1, a checksum of its payload and a change event.'
run 0 'Committed: 214 records written in 3 batches of up to 100.' import "$SAMPLE"

step 'query it' \
  "Structured filters, never SQL: acme's queues, then the platform list views (of both tenants) whose payload" \
  'says they list leads, a condition on a JSON Pointer into the payload.'
run 0 '3 records, as stored.' query --tenant acme --type queue --sort name
run 0 '6 records, as stored.' query --type view --scope platform --where '{"field":"payload/object","operator":"eq","value":"crm.lead"}' \
  --sort tenantId --sort name

step 'a version conflict is refused' \
  'Two administrators read the lead_intake queue at version 1 and each saves a change based on it. The first' \
  'save makes version 2; the second still says "based on version 1" and is refused with version_conflict' \
  '(exit 4): nothing is overwritten, and it learns the version it has to start from.'
cat >"$DEMO/ana.json" <<'JSON'
{ "tenantId": "acme", "type": "queue", "namespace": "crm", "name": "lead_intake", "payload": { "reassignAfterHours": 8 } }
JSON
cat >"$DEMO/ben.json" <<'JSON'
{ "tenantId": "acme", "type": "queue", "namespace": "crm", "name": "lead_intake", "payload": { "routing": "round_robin" } }
JSON
show "$DEMO/ana.json"
run 0 'Saved acme/platform/queue/crm/lead_intake: updated, version 1 -> 2.' save "$DEMO/ana.json" --expected-version 1
show "$DEMO/ben.json"
run 4 'Refused: version_conflict: acme/platform/queue/crm/lead_intake is stored with version 2; this save expected version 1.' \
  save "$DEMO/ben.json" --expected-version 1

step 'export' \
  'Every record, in a stable order, as JSON Lines with its checksum: a backup, and the file another store' \
  'imports. It is written beside its target and renamed into place once complete.'
run 0 'Exported 214 records of 2 tenants to .metasource/export.jsonl' export --out "$DEMO/export.jsonl"

step 'compare the export, then the files, with the database' \
  'diff matches items by key and compares payload checksums and the envelope (state, tags, extends): the' \
  'export holds what the database holds (exit 0), and the files differ from it by the one accepted save (exit 1).'
run 0 'No differences.' diff "$DEMO/export.jsonl" metadata_db
run 1 '1 difference: 0 added, 0 removed, 1 changed.' diff "$SAMPLE" metadata_db

printf '\nDemo complete: every step did what it announced. The database is %s/demo.db; rm -rf %s removes it all.\n' "$DEMO" "$DEMO"
