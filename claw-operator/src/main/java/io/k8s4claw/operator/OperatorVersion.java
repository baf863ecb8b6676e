package io.k8s4claw.operator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The operator's own version, filtered into the jar at build time. The bridge and channel sidecar images
 * are tagged with it by default, so one operator release always renders the sidecars it was tested with.
 */
public record OperatorVersion(String version, String imageRegistry) {

    public static OperatorVersion current() {
        try (InputStream in = OperatorVersion.class.getResourceAsStream("operator-version.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "operator-version.properties missing from the claw-operator jar; rebuild it");
            }
            Properties p = new Properties();
            p.load(in);
            return new OperatorVersion(p.getProperty("version"), p.getProperty("image.registry"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operator's own image, which also runs {@code claw archive} and {@code claw restore}. */
    public String operatorImage() {
        return imageRegistry + "/claw-operator:" + version;
    }

    public String bridgeImage() {
        return imageRegistry + "/claw-ipc-bridge:" + version;
    }

    public String channelSidecarImage() {
        return imageRegistry + "/claw-channel-sidecar:" + version;
    }
}
