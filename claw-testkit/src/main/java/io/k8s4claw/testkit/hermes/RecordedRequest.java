package io.k8s4claw.testkit.hermes;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request the emulator received (for assertions: headers sent, no {@code Origin}, bodies).
 *
 * @param headers lower-cased names
 */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers, String body, int status) {

    public String header(String name) {
        var v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
