package io.k8s4claw.testkit.kubernetes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The key pair the apiserver signs service-account tokens with (and the controller manager's token controller too),
 * generated per run and written as PEM: PKCS#8 {@code PRIVATE KEY} and PKIX {@code PUBLIC KEY}, both of which
 * Kubernetes' key loader reads.
 */
record ServiceAccountKeys(Path privateKey, Path publicKey) {

    static ServiceAccountKeys generate(Path dir) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM cannot generate RSA keys", e);
        }
        ServiceAccountKeys keys =
                new ServiceAccountKeys(dir.resolve("service-account.key"), dir.resolve("service-account.pub"));
        Files.writeString(
                keys.privateKey(), pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(
                keys.publicKey(), pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return keys;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
