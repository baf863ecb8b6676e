package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.k8s4claw.operator.desired.DesiredState;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fills a generated Secret with values from {@link SecureRandom}. Called only when the Secret does not exist:
 * the values are created once and never rotated by a reconcile.
 */
final class SecretGenerator {

    private final SecureRandom random = new SecureRandom();

    Secret generate(DesiredState.GeneratedSecretPlan plan, String namespace) {
        Map<String, String> data = new TreeMap<>();
        for (DesiredState.GeneratedSecretPlan.Key key : plan.keys()) {
            byte[] bytes = new byte[Math.max(32, key.randomBytes())];
            random.nextBytes(bytes);
            String value = HexFormat.of().formatHex(bytes);
            data.put(key.key(), Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.US_ASCII)));
        }
        return new SecretBuilder()
                .withNewMetadata()
                .withName(plan.name())
                .withNamespace(namespace)
                .withLabels(new LinkedHashMap<>(plan.labels()))
                .addToAnnotations("claw.prismer.ai/generated", "true")
                .addToAnnotations("claw.prismer.ai/purpose", plan.purpose())
                .endMetadata()
                .withType("Opaque")
                .withData(data)
                .build();
    }
}
