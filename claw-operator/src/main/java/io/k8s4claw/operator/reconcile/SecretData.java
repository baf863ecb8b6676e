package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** A Secret's content as bytes: {@code data} (base64) merged with {@code stringData}, as the API server stores it. */
public final class SecretData {

    private SecretData() {}

    public static Map<String, byte[]> bytes(Secret secret) {
        Map<String, byte[]> out = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData()
                    .forEach((k, v) -> out.put(
                            k, v == null ? new byte[0] : Base64.getMimeDecoder().decode(v)));
        }
        if (secret.getStringData() != null) {
            secret.getStringData()
                    .forEach((k, v) -> out.put(k, v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }
}
