package io.k8s4claw.channel.webhook;

import io.k8s4claw.channel.common.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook channel's signature, both directions: {@code X-Webhook-Signature: sha256=<hex>} where
 * hex = HMAC-SHA256(secret, timestamp + "." + raw body) and timestamp is {@code X-Webhook-Timestamp}
 * (Unix seconds). Signing the timestamp with the body lets the receiver reject replays outside a window.
 */
public final class WebhookSignature {
    public static final String TIMESTAMP_HEADER = "X-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Webhook-Signature";
    public static final String DELIVERY_HEADER = "X-Webhook-Delivery-Id";
    public static final String PREFIX = "sha256=";

    private WebhookSignature() {}

    public static String sign(Secret secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            mac.update(body);
            return PREFIX + HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time comparison of a received signature header with the expected one. */
    public static boolean verify(Secret secret, String timestamp, byte[] body, String received) {
        if (received == null || timestamp == null) return false;
        byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, received.trim().getBytes(StandardCharsets.US_ASCII));
    }
}
