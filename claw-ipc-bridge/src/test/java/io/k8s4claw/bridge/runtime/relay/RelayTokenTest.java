package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.testkit.relay.HermesRelayClientEmulator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayTokenTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String VECTOR =
            "Z3ctYnJpZGdlOjE3NjcyMjU5MDA6Njg5OWI4Y2RiMWExYTFkOGYxZTBlODIzZDZiNzUwNzM4NTkyNDQ3Nzk1MjlmMTM2NTdmNGZiNzk"
                    + "zYmI5ZWU3NQ";

    private static Clock at(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    @Test
    void mintsTheReferenceTestVector() {
        assertThat(RelayToken.mint("gw-bridge", SECRET, 1767225900L)).isEqualTo(VECTOR);
        assertThat(HermesRelayClientEmulator.mintToken("gw-bridge", SECRET, 1767225900L))
                .isEqualTo(VECTOR);
        assertThat(RelayToken.hmacHex(SECRET, "gw-bridge:0"))
                .isEqualTo("b5fb2f4e86ca68b96eb9c45c87240d583ce802a65d732a6b7f736dba97258995");
    }

    @Test
    void acceptsTheVectorBeforeExpiryAndWithinSkew() {
        assertThat(RelayToken.verify("Bearer " + VECTOR, List.of(SECRET), null, at(1767225000L)))
                .isEqualTo(new RelayToken.Verification.Valid("gw-bridge"));
        assertThat(RelayToken.verify("Bearer " + VECTOR, List.of(SECRET), "gw-bridge", at(1767225900L + 30)))
                .isInstanceOf(RelayToken.Verification.Valid.class);
    }

    @Test
    void reportsExpiryAfterTheSkew() {
        assertThat(RelayToken.verify("Bearer " + VECTOR, List.of(SECRET), null, at(1767225900L + 31)))
                .isEqualTo(new RelayToken.Verification.Expired("gw-bridge", 1767225900L));
    }

    @Test
    void expZeroNeverExpires() {
        String token = RelayToken.mint("gw-bridge", SECRET, 0);
        assertThat(RelayToken.verify("Bearer " + token, List.of(SECRET), null, at(4_000_000_000L)))
                .isInstanceOf(RelayToken.Verification.Valid.class);
    }

    @Test
    void rejectsForgedWrongSecretWrongIdAndMalformed() {
        Clock now = at(1767225000L);
        String wrongSecret = RelayToken.mint("gw-bridge", "another-secret-another-secret-xx", 1767225900L);
        assertThat(RelayToken.verify("Bearer " + wrongSecret, List.of(SECRET), null, now))
                .isInstanceOf(RelayToken.Verification.Invalid.class);
        // same signature, payload changed
        String decoded = new String(Base64.getUrlDecoder().decode(VECTOR), StandardCharsets.UTF_8);
        String forged = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(decoded.replace("gw-bridge", "gw-evil").getBytes(StandardCharsets.UTF_8));
        assertThat(RelayToken.verify("Bearer " + forged, List.of(SECRET), null, now))
                .isEqualTo(new RelayToken.Verification.Invalid("token signature does not match"));
        // an expired AND forged token is unauthorized, not expired: expiry is only believed when signed
        assertThat(RelayToken.verify("Bearer " + forged, List.of(SECRET), null, at(1767229999L)))
                .isInstanceOf(RelayToken.Verification.Invalid.class);
        assertThat(RelayToken.verify("Bearer " + VECTOR, List.of(SECRET), "gw-other", now))
                .isEqualTo(new RelayToken.Verification.Invalid("token is for another gateway id"));
        assertThat(RelayToken.verify(null, List.of(SECRET), null, now))
                .isInstanceOf(RelayToken.Verification.Invalid.class);
        assertThat(RelayToken.verify("Basic abc", List.of(SECRET), null, now))
                .isInstanceOf(RelayToken.Verification.Invalid.class);
        assertThat(RelayToken.verify("Bearer !!!", List.of(SECRET), null, now))
                .isInstanceOf(RelayToken.Verification.Invalid.class);
        assertThat(RelayToken.verify(
                        "Bearer " + Base64.getUrlEncoder().encodeToString("a:b".getBytes()),
                        List.of(SECRET),
                        null,
                        now))
                .isInstanceOf(RelayToken.Verification.Invalid.class);
        assertThat(RelayToken.verify(
                        "Bearer " + Base64.getUrlEncoder().encodeToString("a:x:b".getBytes()),
                        List.of(SECRET),
                        null,
                        now))
                .isEqualTo(new RelayToken.Verification.Invalid("token exp is not an integer"));
    }

    @Test
    void gatewayIdsMayContainColonsAndSecretsRotate() {
        Clock now = at(1767225000L);
        String token = RelayToken.mint("tenant:gw:1", "new-secret", 1767225900L);
        assertThat(RelayToken.verify("Bearer " + token, List.of("old-secret", "new-secret"), null, now))
                .isEqualTo(new RelayToken.Verification.Valid("tenant:gw:1"));
        // padded base64 is accepted too (the connector re-adds padding)
        String padded =
                Base64.getUrlEncoder().encodeToString(Base64.getUrlDecoder().decode(token));
        assertThat(RelayToken.verify("Bearer " + padded, List.of("new-secret"), null, now))
                .isInstanceOf(RelayToken.Verification.Valid.class);
    }
}
