package io.k8s4claw.bridge;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The bridge's command line: flags that default to their environment variable, then to a built-in default, and
 * the {@code dead-letters list|replay} subcommand that talks to a running bridge.
 *
 * <p>Why not picocli (which the operator's {@code claw} CLI uses): the container passes no arguments at all,
 * yet picocli's annotation scanning and converters cost the bridge 3.6 MiB of resident memory (claw-ipc-bridge
 * README; issue #21 budgets the bridge and its channels at 128 MiB). Twenty flags of one shape need a table, not a
 * framework.
 */
final class BridgeCommandLine {

    static final String NAME = "claw-ipc-bridge";

    /** A flag, the environment variable it defaults to, and the default when that is unset. */
    record Flag(String name, String env, String defaultValue, String description) {

        /** The value when no flag is given: the environment's, else the default. */
        String fallback(Map<String, String> environment) {
            return environment.getOrDefault(env, defaultValue);
        }
    }

    static final List<Flag> FLAGS = List.of(
            new Flag(
                    "--bus-socket",
                    "CLAW_BUS_SOCKET",
                    "/var/run/claw/bus.sock",
                    "Unix socket the channel sidecars connect to; 'none' for TCP only"),
            new Flag(
                    "--bus-tcp-port",
                    "CLAW_BUS_TCP_PORT",
                    "0",
                    "also listen on loopback TCP (tests, non-Linux dev): 0 = off, -1 = any free port"),
            new Flag("--data-dir", "CLAW_BRIDGE_DATA_DIR", "/var/lib/claw-bridge", "write-ahead log directory"),
            new Flag(
                    "--http-port",
                    "CLAW_BRIDGE_HTTP_PORT",
                    "9090",
                    "/healthz, /readyz, /metrics, /v1/dead-letters; 0 = any free port"),
            new Flag(
                    "--runtime-protocol",
                    "CLAW_RUNTIME_PROTOCOL",
                    "hermes-sse",
                    "hermes-sse | hermes-relay | openclaw-gateway | echo"),
            new Flag("--runtime-url", "CLAW_RUNTIME_URL", "http://127.0.0.1:8642", "the runtime's API"),
            new Flag(
                    "--channels",
                    "CLAW_CHANNELS",
                    "",
                    "comma-separated channel names allowed to register; empty = any"),
            new Flag(
                    "--allowed-uids",
                    "CLAW_BUS_ALLOWED_UIDS",
                    "self",
                    "peer uids allowed on the socket where epoll tells: 'self' (the bridge's uid), 'any', or a list"),
            new Flag(
                    "--max-concurrent-runs", "CLAW_MAX_CONCURRENT_RUNS", "10", "runs in progress across conversations"),
            new Flag("--retry-base", "CLAW_BRIDGE_RETRY_BASE", "250ms", "first retry delay, doubling, jittered"),
            new Flag("--retry-max", "CLAW_BRIDGE_RETRY_MAX", "30s", "retry delay cap"),
            new Flag(
                    "--dead-letter-after",
                    "CLAW_BRIDGE_DEAD_LETTER_AFTER",
                    "1h",
                    "give up on a message the runtime has not accepted this long after it arrived"),
            new Flag("--max-attempts", "CLAW_BRIDGE_MAX_ATTEMPTS", "10000", "... or after this many attempts"),
            new Flag(
                    "--fsync",
                    "CLAW_BRIDGE_FSYNC",
                    "true",
                    "fsync the log before acking (true | false); false only for benchmarks"),
            new Flag(
                    "--wal-max-bytes",
                    "CLAW_BRIDGE_WAL_MAX_BYTES",
                    "1073741824",
                    "refuse new messages (STORAGE_FAILED) while the log is larger"),
            new Flag("--wal-segment-bytes", "CLAW_BRIDGE_WAL_SEGMENT_BYTES", "16777216", "log segment size"),
            new Flag(
                    "--max-pending",
                    "CLAW_BRIDGE_MAX_PENDING",
                    "10000",
                    "backlog to the runtime above which sidecars are paused"),
            new Flag(
                    "--dedupe-entries",
                    "CLAW_BRIDGE_DEDUPE_ENTRIES",
                    "20000",
                    "completed message ids remembered for deduplication"),
            new Flag("--max-frame-bytes", "CLAW_BUS_MAX_FRAME_BYTES", "1048576", "bus frame size limit"),
            new Flag(
                    "--heartbeat-interval",
                    "CLAW_BUS_HEARTBEAT_INTERVAL",
                    "10s",
                    "bus heartbeat interval; 3 silent intervals close a connection"),
            new Flag("--window", "CLAW_BUS_WINDOW", "256", "un-acked UserMessages per sidecar"),
            new Flag(
                    "--shutdown-grace",
                    "CLAW_BRIDGE_SHUTDOWN_GRACE",
                    "25s",
                    "time to drain on SIGTERM; keep below the pod's terminationGracePeriodSeconds"));

    /** What the command line asks for. */
    sealed interface Command {}

    /** Run the bridge with these values, by flag name (every flag present). */
    record Run(Map<String, String> values) implements Command {

        String get(String flag) {
            String value = values.get(flag);
            if (value == null) {
                throw new IllegalArgumentException("no flag " + flag);
            }
            return value;
        }

        int integer(String flag) {
            long n = number(flag);
            if (n != (int) n) {
                throw new UsageException(where(flag) + ": " + n + " is too large");
            }
            return (int) n;
        }

        long number(String flag) {
            return number(flag, get(flag));
        }

        /** {@code value}, one of flag's (a list's item), as a whole number. */
        long number(String flag, String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(where(flag) + ": '" + value + "' is not a whole number");
            }
        }

        boolean bool(String flag) {
            return switch (get(flag).trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new UsageException(where(flag) + ": '" + get(flag) + "' is not true or false");
            };
        }

        URI uri(String flag) {
            try {
                return new URI(get(flag).trim());
            } catch (URISyntaxException e) {
                throw new UsageException(where(flag) + ": '" + get(flag) + "' is not a URL");
            }
        }

        Duration duration(String flag) {
            try {
                return BridgeMain.duration(get(flag));
            } catch (IllegalArgumentException e) {
                throw new UsageException(where(flag) + ": " + e.getMessage());
            }
        }

        /** What a value that cannot be read names: the flag and its variable. */
        static String where(String flag) {
            return flag(flag).map(f -> f.name() + " (" + f.env() + ")").orElse(flag);
        }
    }

    record Help(String text) implements Command {}

    record Version() implements Command {}

    record ListDeadLetters(URI bridge) implements Command {}

    record ReplayDeadLetter(URI bridge, String id) implements Command {}

    /** A command line that cannot be run; the message says what was wrong (exit code 2). */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private BridgeCommandLine() {}

    static Command parse(List<String> args, Map<String, String> environment) {
        if (!args.isEmpty() && args.get(0).equals("dead-letters")) {
            return parseDeadLetters(args.subList(1, args.size()), environment);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Flag flag : FLAGS) {
            values.put(flag.name(), flag.fallback(environment));
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "-h", "--help" -> {
                    return new Help(usage(environment));
                }
                case "-V", "--version" -> {
                    return new Version();
                }
                default -> {
                    Option option = option(args, i);
                    if (flag(option.name()).isEmpty()) {
                        throw new UsageException(unknown(arg));
                    }
                    i += option.width() - 1;
                    values.put(option.name(), option.value());
                }
            }
        }
        return new Run(values);
    }

    private static Command parseDeadLetters(List<String> args, Map<String, String> environment) {
        String action = null;
        String id = null;
        URI bridge = URI.create("http://127.0.0.1:" + environment.getOrDefault("CLAW_BRIDGE_HTTP_PORT", "9090"));
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                return new Help(deadLettersUsage());
            } else if (arg.startsWith("--url")) {
                Option option = option(args, i);
                if (!option.name().equals("--url")) {
                    throw new UsageException(unknown(arg));
                }
                i += option.width() - 1;
                try {
                    bridge = URI.create(option.value());
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--url: '" + option.value() + "' is not a URL");
                }
            } else if (arg.startsWith("-")) {
                throw new UsageException(unknown(arg));
            } else if (action == null) {
                action = arg;
            } else if (action.equals("replay") && id == null) {
                id = arg;
            } else {
                throw new UsageException("dead-letters: unexpected argument '" + arg + "' (see dead-letters --help)");
            }
        }
        if ("list".equals(action)) {
            return new ListDeadLetters(bridge);
        }
        if ("replay".equals(action)) {
            if (id == null) {
                throw new UsageException(
                        "dead-letters replay: missing the dead letter's ID (from 'dead-letters list')");
            }
            return new ReplayDeadLetter(bridge, id);
        }
        throw new UsageException(
                "dead-letters: " + (action == null ? "missing" : "unknown") + " action; use 'list' or 'replay ID'");
    }

    /** An option, its value, and how many arguments it took: {@code --name=value} 1, {@code --name value} 2. */
    private record Option(String name, String value, int width) {}

    /** {@code --name=value} or {@code --name value} at {@code i}. */
    private static Option option(List<String> args, int i) {
        String arg = args.get(i);
        int eq = arg.indexOf('=');
        if (eq > 0) {
            return new Option(arg.substring(0, eq), arg.substring(eq + 1), 1);
        }
        if (arg.startsWith("--") && i + 1 < args.size()) {
            return new Option(arg, args.get(i + 1), 2);
        }
        throw new UsageException(arg.startsWith("--") && flag(arg).isPresent() ? arg + " needs a value" : unknown(arg));
    }

    private static String unknown(String arg) {
        return "unknown option or argument '" + arg + "' (see --help)";
    }

    static Optional<Flag> flag(String name) {
        return FLAGS.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** Every flag with its variable and its default (the variable's value when it is set). */
    static String usage(Map<String, String> environment) {
        StringBuilder out = new StringBuilder()
                .append("Usage: ")
                .append(NAME)
                .append(" [--flag=value]...\n")
                .append("       ")
                .append(NAME)
                .append(" dead-letters (list | replay ID) [--url=URL]\n")
                .append("The claw bus sidecar: durable delivery between channel sidecars and the agent runtime.\n")
                .append("Every flag defaults to its environment variable, then to the default shown.\n\n");
        for (Flag flag : FLAGS) {
            out.append(String.format("  %-24s %s (%s)%n", flag.name(), flag.description(), flag.env()));
            out.append(String.format("  %-24s Default: %s%n", "", flag.fallback(environment)));
        }
        return out.append(String.format("  %-24s %s%n", "-h, --help", "Show this help message and exit."))
                .append(String.format("  %-24s %s%n", "-V, --version", "Print version information and exit."))
                .append("\nEnvironment only (never a flag: it stays out of process lists; never logged):\n")
                .append("  CLAW_RUNTIME_TOKEN  Hermes's API_SERVER_KEY (")
                .append(BridgeMain.HERMES_MIN_KEY_LENGTH)
                .append(" characters at least)\n")
                .append("                      or the OpenClaw gateway token\n")
                .append("  CLAW_LOG_LEVEL      TRACE | DEBUG | INFO | WARN | ERROR | OFF (default INFO)\n\n")
                .append("Prints 'BRIDGE-LISTENING bus-tcp-port=N http-port=N' once its ports are\n")
                .append("bound, then 'BRIDGE-READY' with the same fields once /readyz answers 200\n")
                .append("(the bus listens and the runtime is reachable).\n")
                .toString();
    }

    static String deadLettersUsage() {
        return "Usage: " + NAME + " dead-letters list [--url=URL]\n"
                + "       " + NAME + " dead-letters replay ID [--url=URL]\n"
                + "List the dead letters of a running bridge as JSON, or deliver one again (same idempotency key),\n"
                + "through its loopback admin API.\n\n"
                + "  --url=URL   the bridge's ops address; Default: http://127.0.0.1:${CLAW_BRIDGE_HTTP_PORT:-9090}\n"
                + "  ID          the dead letter's id, from 'list'\n";
    }
}
