package io.k8s4claw.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The apiserver's audit log (JSON lines, one {@code ResponseComplete} event per request: the launcher's policy logs
 * every request at {@code Metadata} level and omits the other stages), read as the record of what each client did.
 * This is how tests count an operator's requests and writes on the real apiserver: the server's own account, not the
 * client's.
 */
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");

    private final Path file;

    AuditLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** One request as the apiserver recorded it. */
    public record Request(
            String verb, String method, String path, String query, String username, String userAgent, int code) {

        public boolean isWrite() {
            return WRITE_VERBS.contains(verb);
        }

        /** {@code METHOD path}, the form tests compare: {@code PATCH /apis/apps/v1/namespaces/a/statefulsets/x}. */
        public String line() {
            return method + " " + path;
        }
    }

    /** The position after everything logged so far; {@link #since(long)} reads from there. */
    public long mark() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Request> all() {
        return since(0);
    }

    /** Requests logged after {@code mark}; a line still being written at the end is left for the next read. */
    public List<Request> since(long mark) {
        List<Request> requests = new ArrayList<>();
        if (!Files.exists(file)) {
            return requests;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (mark >= length) {
                return requests;
            }
            byte[] bytes = new byte[Math.toIntExact(length - mark)];
            in.seek(mark);
            in.readFully(bytes);
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    requests.add(parse(new String(bytes, start, i - start, StandardCharsets.UTF_8)));
                    start = i + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the audit log " + file, e);
        }
        return requests;
    }

    static Request parse(String line) {
        try {
            JsonNode event = JSON.readTree(line);
            String uri = event.path("requestURI").asText();
            int q = uri.indexOf('?');
            String verb = event.path("verb").asText();
            return new Request(
                    verb,
                    method(verb),
                    q < 0 ? uri : uri.substring(0, q),
                    q < 0 ? "" : uri.substring(q + 1),
                    event.path("user").path("username").asText(),
                    event.path("userAgent").asText(),
                    event.path("responseStatus").path("code").asInt());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable audit event: " + line, e);
        }
    }

    private static String method(String verb) {
        return switch (verb) {
            case "create" -> "POST";
            case "update" -> "PUT";
            case "patch" -> "PATCH";
            case "delete", "deletecollection" -> "DELETE";
            default -> "GET";
        };
    }
}
