package io.k8s4claw.bridge.runtime.relay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The relay's upgrade token (docs/runtime-hermes-relay.md, "Wire": Auth):
 * {@code base64url-nopad(UTF-8(payload ":" exp ":" sig))} with
 * {@code sig = lowercase-hex(HMAC-SHA256(secret, payload ":" exp))}, {@code exp} integer unix seconds ({@code 0} =
 * never expires), {@code payload} the gateway id (which may itself contain {@code :}).
 *
 * <p>Verification checks the signature against every configured secret (rotation) in constant time, then the
 * expiry with a 30 s skew allowance. The gateway's identity comes from the token, never from {@code hello}.
 */
public final class RelayToken {

    /** Clock skew tolerated on {@code exp}. */
    public static final Duration SKEW = Duration.ofSeconds(30);

    private RelayToken() {}

    /** The result of checking a bearer token. */
    public sealed interface Verification {
        /** The token is genuine and current; {@code gatewayId} is its payload. */
        record Valid(String gatewayId) implements Verification {}

        /** Signed correctly but past its {@code exp}: close 4401 "expired". */
        record Expired(String gatewayId, long exp) implements Verification {}

        /** Anything else (missing, malformed, wrong signature, unknown id): close 4401 "unauthorized". */
        record Invalid(String why) implements Verification {}
    }

    /** Mints a token as Hermes does (for tests and tooling). */
    public static String mint(String gatewayId, String secret, long expUnixSeconds) {
        String signed = gatewayId + ":" + expUnixSeconds;
        String token = signed + ":" + hmacHex(secret, signed);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Verifies an {@code Authorization} header value.
     *
     * @param secrets           accepted secrets (current first; several during rotation); never empty
     * @param expectedGatewayId when non-null, only this gateway id is accepted
     */
    public static Verification verify(
            String authorizationHeader, List<String> secrets, String expectedGatewayId, Clock clock) {
        Objects.requireNonNull(secrets, "secrets");
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return new Verification.Invalid("no 'Authorization: Bearer' header");
        }
        String b64 = authorizationHeader.substring("Bearer ".length()).trim();
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(b64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Verification.Invalid("token is not base64url");
        }
        int lastColon = decoded.lastIndexOf(':');
        int secondLast = lastColon > 0 ? decoded.lastIndexOf(':', lastColon - 1) : -1;
        if (secondLast < 0) {
            return new Verification.Invalid("token is not payload:exp:sig");
        }
        String payload = decoded.substring(0, secondLast);
        String expText = decoded.substring(secondLast + 1, lastColon);
        String sig = decoded.substring(lastColon + 1);
        long exp;
        try {
            exp = Long.parseLong(expText);
        } catch (NumberFormatException e) {
            return new Verification.Invalid("token exp is not an integer");
        }
        if (exp < 0 || sig.length() != 64) {
            return new Verification.Invalid("token exp or signature has the wrong form");
        }
        byte[] given = sig.getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String secret : secrets) {
            // evaluate every secret: no early exit that would tell which one matched
            match |= MessageDigest.isEqual(
                    hmacHex(secret, payload + ":" + expText).getBytes(StandardCharsets.US_ASCII), given);
        }
        if (!match) {
            return new Verification.Invalid("token signature does not match");
        }
        if (expectedGatewayId != null && !expectedGatewayId.equals(payload)) {
            return new Verification.Invalid("token is for another gateway id");
        }
        if (exp != 0 && exp + SKEW.toSeconds() < clock.instant().getEpochSecond()) {
            return new Verification.Expired(payload, exp);
        }
        return new Verification.Valid(payload);
    }

    static String hmacHex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JRE", e);
        }
    }
}
