package io.k8s4claw.operator.desired;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content hashes put into pod template annotations so that a change of a rendered file or a referenced
 * Secret rolls the pod. SHA-256, hex, over a canonical (sorted, length-prefixed) encoding so that equal content
 * always gives an equal hash and no two different maps collide by concatenation.
 */
public final class Hashes {

    private Hashes() {}

    public static String ofString(String content) {
        return hex(digest().digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** Hash of a Secret's or ConfigMap's data (values as raw bytes). */
    public static String ofData(Map<String, byte[]> data) {
        MessageDigest md = digest();
        for (Map.Entry<String, byte[]> e : new TreeMap<>(data).entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            update(md, key);
            update(md, e.getValue());
        }
        return hex(md.digest());
    }

    private static void update(MessageDigest md, byte[] bytes) {
        md.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) ':');
        md.update(bytes);
    }

    private static String hex(byte[] digest) {
        return "sha256:" + HexFormat.of().formatHex(digest);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
