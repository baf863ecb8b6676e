package io.k8s4claw.api.runtime;

import java.util.List;
import java.util.Objects;

/**
 * A Secret the operator creates once per Claw, fills with random values and never rotates by accident (it
 * leaves an existing Secret of that name alone). Adapters only describe it; values are never produced by an
 * adapter, so they cannot leak into rendered manifests.
 *
 * @param nameSuffix the Secret is named {@link RenderNames#generatedSecretName(String)} of this suffix
 * @param keys       the keys to fill
 * @param purpose    what the secret protects, for humans ({@code claw render} lists it as a comment)
 */
public record GeneratedSecret(String nameSuffix, List<Key> keys, String purpose) {
    public GeneratedSecret {
        Objects.requireNonNull(nameSuffix, "nameSuffix");
        Objects.requireNonNull(purpose, "purpose");
        keys = List.copyOf(keys);
        if (!nameSuffix.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new IllegalArgumentException("secret name suffix '" + nameSuffix + "' is not a DNS-1123 label");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("generated secret '" + nameSuffix + "' has no keys");
        }
    }

    /** How a value is encoded from its random bytes. */
    public enum Encoding {
        /** Lower-case hex: 2 characters per byte ({@code openssl rand -hex N}). */
        HEX
    }

    /**
     * One generated value.
     *
     * @param key         the Secret data key
     * @param randomBytes how many bytes of a cryptographically secure random source (≥ 32)
     * @param encoding    how the bytes become the stored string
     */
    public record Key(String key, int randomBytes, Encoding encoding) {
        public Key {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(encoding, "encoding");
            if (!key.matches("[-._a-zA-Z0-9]+")) {
                throw new IllegalArgumentException("secret key '" + key + "' is not a valid Secret data key");
            }
            if (randomBytes < 32) {
                throw new IllegalArgumentException(
                        "generated secret key '" + key + "' needs at least 32 random bytes, got " + randomBytes);
            }
        }

        public static Key hex(String key, int randomBytes) {
            return new Key(key, randomBytes, Encoding.HEX);
        }
    }
}
