# Shared by the bin/ scripts (sourced, not run): builds with Maven from $ROOT and shows its progress.
# raftmq_build LABEL MVN_ARGS...: offline first (fast when the local repository is warm), online when a dependency
# is missing there. Prints each module as Maven starts it and each plugin goal it runs, a "still building" line
# when Maven was silent for 5 s, and on failure Maven's ERROR lines and the full log's path. Returns Maven's status.
raftmq_build() {
  local label="$1"
  shift
  local log rc mode
  log="$(mktemp "${TMPDIR:-/tmp}/raftmq-build.XXXXXX")"
  echo "building $label (full Maven log: $log)" >&2
  for mode in -o ""; do
    rc=0
    # shellcheck disable=SC2086
    (cd "$ROOT" && exec mvn -B -ntp $mode "$@") >"$log" 2>&1 &
    _raftmq_follow "$!" "$log" || rc=$?
    if [ "$rc" -eq 0 ]; then
      echo "build of $label done" >&2
      rm -f "$log"
      return 0
    fi
    if [ "$mode" = -o ] && grep -q "in offline mode" "$log"; then
      echo "some dependencies are not in the local Maven repository yet: building online" >&2
      continue
    fi
    break
  done
  echo "BUILD FAILED ($label): Maven status $rc (its errors above; full log: $log)" >&2
  return "$rc"
}

# _raftmq_follow PID LOG: until PID exits, prints LOG's progress lines (modules, goals, errors) as they come, or a
# heartbeat after 5 s of silence; then what came last; returns PID's exit status.
_raftmq_follow() {
  local pid="$1" log="$2" shown=0 quiet=0 t0 running=1
  t0="$(date +%s)"
  while [ "$running" = 1 ]; do
    kill -0 "$pid" 2>/dev/null || running=0
    [ "$running" = 0 ] || sleep 1
    if _raftmq_progress "$log" "$shown"; then quiet=0; else quiet=$((quiet + 1)); fi
    shown="$_RAFTMQ_SHOWN"
    if [ "$quiet" -ge 5 ]; then
      echo "    ... still building ($(( $(date +%s) - t0 )) s)" >&2
      quiet=0
    fi
  done
  wait "$pid"
}

# _raftmq_progress LOG SHOWN: prints the progress lines of LOG after its first SHOWN lines (Maven's closing advice
# left out); sets _RAFTMQ_SHOWN to LOG's line count; true when it printed something.
_raftmq_progress() {
  local n lines
  n="$(wc -l <"$1")"
  _RAFTMQ_SHOWN="$n"
  [ "$n" -gt "$2" ] || return 1
  lines="$(sed -n "$(($2 + 1)),${n}p" "$1" | sed -n -E \
    -e 's/^\[INFO\] Building (RaftMQ[^[]*[^ [])( *(\[[0-9]+\/[0-9]+\]))?.*/  \1 \3/p' \
    -e 's/^\[INFO\] --- ([^ ]+) [^@]*@ ([^ ]+) ---.*/    \2: \1/p' \
    -e '/^\[ERROR\] *(->|$|To see|Re-run|For more|\[Help|After correcting|  mvn )/d' \
    -e 's/^\[ERROR\] (.{0,300}).*/  ERROR \1/p')"
  [ -n "$lines" ] || return 1
  printf '%s\n' "$lines" >&2
}

# What `raftmq_build_if_stale` makes, relative to $ROOT: each member's and the NameServer's jar and runtime
# libraries (target/lib, sibling modules' jars included), and the tools jar with its own (benchmarks, cluster CLI).
RAFTMQ_VERSION=0.1.0-SNAPSHOT
BROKER_JAR="broker/target/raftmq-broker-$RAFTMQ_VERSION.jar"
NAMING_JAR="naming/target/raftmq-naming-$RAFTMQ_VERSION.jar"
TOOLS_JAR="tools/target/raftmq-tools-$RAFTMQ_VERSION.jar"

# raftmq_build_if_stale: packages tools and every module it uses (broker, naming, ...) when a jar is missing or a
# main source or pom is newer than the last successful build (tools/target/build.stamp); nothing to do otherwise.
raftmq_build_if_stale() {
  local stamp="$ROOT/tools/target/build.stamp"
  if [ -f "$stamp" ] && [ -f "$ROOT/$BROKER_JAR" ] && [ -f "$ROOT/$NAMING_JAR" ] && [ -f "$ROOT/$TOOLS_JAR" ] \
     && [ -z "$(cd "$ROOT" && find commitlog/src/main raft/src/main client/src/main naming/src/main broker/src/main \
                  tools/src/main pom.xml ./*/pom.xml -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  raftmq_build "broker, naming and tools (sources newer than the last build)" -pl tools -am -DskipTests package \
    || return 1
  touch "$stamp"
}

# raftmq_jars JAR LIBDIR: JAR and every jar in LIBDIR as a class path, in a fixed order (class-data-sharing archives
# need jars, not directories, and the same order at dump and at use).
raftmq_jars() {
  local j
  printf '%s' "$ROOT/$1"
  for j in "$ROOT/$2"/*.jar; do printf ':%s' "$j"; done
}
