package io.k8s4claw.adapters.hermes;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.validation.FieldError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** spec.config → Hermes config.yaml: the documented key mapping, pass-through of unknown keys, and the merge modes. */
class HermesConfigTest {

    private static Map<String, Object> map(Object... kv) {
        return HermesConfig.map(kv);
    }

    private static final Map<String, Object> USER = map(
            "model",
            "nous-hermes-3",
            "provider",
            "openrouter",
            "baseUrl",
            "https://openrouter.ai/api/v1",
            "learningEnabled",
            false,
            "memory",
            map("user_profile_enabled", true),
            "toolsets",
            List.of("web"),
            "display",
            map("skin", "ares"));

    @Test
    void deepMergeMapsShorthandsAndLetsNativeKeysWin() {
        Map<String, Object> config = HermesConfig.render(USER, MergeMode.DEEP_MERGE);

        assertThat(config.get("model"))
                .isEqualTo(map(
                        "default",
                        "nous-hermes-3",
                        "provider",
                        "openrouter",
                        "base_url",
                        "https://openrouter.ai/api/v1"));
        assertThat(config.get("curator")).isEqualTo(map("enabled", false));
        // learningEnabled=false switched both memory settings off, the native key turned the profile back on
        assertThat(config.get("memory")).isEqualTo(map("memory_enabled", false, "user_profile_enabled", true));
        assertThat(config.get("sessions")).as("adapter default kept").isEqualTo(map("auto_prune", true));
        assertThat(config)
                .containsEntry("toolsets", List.of("web"))
                .containsEntry("display", map("skin", "ares"))
                .doesNotContainKeys("learningEnabled", "baseUrl", "provider");
    }

    @Test
    void aModelOnACustomEndpointTakesItsKeyFromTheCredentialsVariable() {
        Map<String, Object> custom =
                HermesConfig.render(map("model", "local-llm", "baseUrl", "http://vllm:8000/v1"), MergeMode.DEEP_MERGE);
        assertThat(custom.get("model"))
                .isEqualTo(
                        map("default", "local-llm", "base_url", "http://vllm:8000/v1", "api_key", "${OPENAI_API_KEY}"));
        Map<String, Object> given = HermesConfig.render(
                map("model", map("base_url", "http://vllm:8000/v1", "api_key", "${MY_KEY}")), MergeMode.DEEP_MERGE);
        assertThat(given.get("model"))
                .as("a key the Claw names stays")
                .isEqualTo(map("base_url", "http://vllm:8000/v1", "api_key", "${MY_KEY}"));
        assertThat(HermesConfig.render(USER, MergeMode.DEEP_MERGE).get("model"))
                .as("a named provider reads its own variable")
                .isEqualTo(map(
                        "default",
                        "nous-hermes-3",
                        "provider",
                        "openrouter",
                        "base_url",
                        "https://openrouter.ai/api/v1"));
    }

    @Test
    void overwriteReplacesWholeTopLevelSections() {
        Map<String, Object> config =
                HermesConfig.render(map("memory", map("user_profile_enabled", false)), MergeMode.OVERWRITE);
        assertThat(config.get("memory"))
                .as("the default memory_enabled is gone")
                .isEqualTo(map("user_profile_enabled", false));
        assertThat(config.get("curator")).isEqualTo(map("enabled", true));
    }

    @Test
    void passthroughIsTheUsersNativeConfigVerbatim() {
        Map<String, Object> config = HermesConfig.render(USER, MergeMode.PASSTHROUGH);
        assertThat(config).isEqualTo(USER);
    }

    @Test
    @SuppressWarnings("unchecked")
    void managedScopeDependsOnTheChannelOption() {
        Map<String, Object> optionA = HermesConfig.managedConfig(false, false);
        assertThat(optionA.get("platforms"))
                .as("own platforms stay usable, relay vetoed")
                .isEqualTo(map("relay", map("enabled", false)));
        Map<String, Object> optionBSse = HermesConfig.managedConfig(true, false);
        assertThat((Map<String, Object>) optionBSse.get("platforms"))
                .containsEntry("slack", map("enabled", false))
                .containsEntry("telegram", map("enabled", false))
                .containsEntry("relay", map("enabled", false));
        Map<String, Object> optionBRelay = HermesConfig.managedConfig(true, true);
        assertThat((Map<String, Object>) optionBRelay.get("platforms")).doesNotContainKey("relay");
        assertThat(optionBRelay.get("gateway"))
                .isEqualTo(map("api_server", map("enabled", true, "host", "127.0.0.1", "port", 8642)));

        assertThat(HermesConfig.managedEnv(false, null))
                .contains("GATEWAY_RELAY_URL=\n")
                .doesNotContain("SLACK_BOT_TOKEN");
        assertThat(HermesConfig.managedEnv(
                        true, new HermesConfig.RelaySettings("http://127.0.0.1:8765", "gw-x", List.of("slack"))))
                .contains(
                        "GATEWAY_RELAY_URL=http://127.0.0.1:8765\n",
                        "GATEWAY_RELAY_PLATFORMS=slack\n",
                        "SLACK_BOT_TOKEN=\n")
                .doesNotContain("API_SERVER_KEY");
    }

    @Test
    void shorthandTypesAreChecked() {
        List<FieldError> errors =
                HermesConfig.validate(map("learningEnabled", "true", "maxConcurrentRuns", 2.5), MergeMode.DEEP_MERGE);
        assertThat(errors)
                .extracting(FieldError::path)
                .containsExactly("spec.config.learningEnabled", "spec.config.maxConcurrentRuns");
        assertThat(HermesConfig.validate(map("learningEnabled", "true"), MergeMode.PASSTHROUGH))
                .as("native config: no shorthands")
                .isEmpty();
    }
}
