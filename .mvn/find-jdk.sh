# Sourced by ./mvnw, .ci/run and bin/claw: make sure JAVA_HOME points at a JDK >= 21.
# Building k8s4claw needs JDK 21+ (library modules still target Java 17). Machines of this project's
# kind ship OpenJDK 17 as the default java and a Temurin 25 under /usr/lib/jvm; pick the newest JDK
# >= 21 when the current one is older. Fails with a clear message when there is none.
k8s4claw_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
k8s4claw_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(k8s4claw_java_major "$JAVA_HOME"); [ "${v:-0}" -ge 21 ] && return 0
  fi
  if [ -z "${JAVA_HOME:-}" ] && command -v javac >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(k8s4claw_java_major "$home"); if [ "${v:-0}" -ge 21 ]; then export JAVA_HOME="$home"; return 0; fi
  fi
  best=""; bestv=0
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(k8s4claw_java_major "$d"); v=${v:-0}
    if [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  if [ -n "$best" ]; then export JAVA_HOME="$best"; return 0; fi
  echo "k8s4claw: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm, /opt). Install one (e.g. apt-get install openjdk-21-jdk-headless or Temurin 25) and set JAVA_HOME." >&2
  return 1
}
k8s4claw_find_jdk || exit 1
