package io.k8s4claw.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.api.v1alpha1.ConfigMergeMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergeModeTest {

    /** Adapter defaults: nested maps three levels deep and lists at two levels. */
    private static Map<String, Object> base() {
        Map<String, Object> base = new LinkedHashMap<>();
        base.put(
                "model",
                map("provider", "openrouter", "default", "hermes-3", "params", map("temperature", 0.7, "top_p", 1.0)));
        base.put("toolsets", new ArrayList<>(List.of("web", "terminal")));
        base.put("memory", map("memory_enabled", true, "user_profile_enabled", true));
        base.put("gateway", map("api_server", map("enabled", true, "cors", List.of("a", "b"))));
        base.put("timezone", "UTC");
        return base;
    }

    private static Map<String, Object> overlay() {
        Map<String, Object> overlay = new LinkedHashMap<>();
        overlay.put("model", map("default", "nous-hermes-3", "params", map("temperature", 0.2)));
        overlay.put("toolsets", List.of("web"));
        overlay.put("gateway", map("api_server", map("cors", List.of("c"))));
        overlay.put("timezone", null);
        overlay.put("new_key", map("x", List.of(map("y", 1))));
        return overlay;
    }

    @Test
    void deepMergeMergesMapsRecursivelyAndReplacesLists() {
        Map<String, Object> merged = MergeMode.DEEP_MERGE.merge(base(), overlay());

        assertThat(merged).containsOnlyKeys("model", "toolsets", "memory", "gateway", "new_key");
        assertThat(merged.get("model"))
                .isEqualTo(map(
                        "provider",
                        "openrouter",
                        "default",
                        "nous-hermes-3",
                        "params",
                        map("temperature", 0.2, "top_p", 1.0)));
        assertThat(merged.get("toolsets"))
                .as("lists replace, never concatenate")
                .isEqualTo(List.of("web"));
        assertThat(merged.get("memory")).isEqualTo(map("memory_enabled", true, "user_profile_enabled", true));
        assertThat(merged.get("gateway")).isEqualTo(map("api_server", map("enabled", true, "cors", List.of("c"))));
        assertThat(merged.get("new_key")).isEqualTo(map("x", List.of(map("y", 1))));
        assertThat(merged).as("null removes the key").doesNotContainKey("timezone");
        assertThat(List.copyOf(merged.keySet()))
                .as("base order first, then new keys")
                .containsExactly("model", "toolsets", "memory", "gateway", "new_key");
    }

    @Test
    void overwriteReplacesTopLevelKeysWholesale() {
        Map<String, Object> merged = MergeMode.OVERWRITE.merge(base(), overlay());

        assertThat(merged.get("model"))
                .as("no recursion: provider is gone")
                .isEqualTo(map("default", "nous-hermes-3", "params", map("temperature", 0.2)));
        assertThat(merged.get("gateway")).isEqualTo(map("api_server", map("cors", List.of("c"))));
        assertThat(merged.get("memory"))
                .as("keys the overlay does not name stay")
                .isEqualTo(base().get("memory"));
        assertThat(merged).doesNotContainKey("timezone").containsKey("new_key");
    }

    @Test
    void passthroughUsesTheOverlayVerbatim() {
        Map<String, Object> merged = MergeMode.PASSTHROUGH.merge(base(), overlay());

        assertThat(merged).isEqualTo(overlay());
        assertThat(MergeMode.PASSTHROUGH.mapsKeys()).isFalse();
        assertThat(MergeMode.DEEP_MERGE.mapsKeys()).isTrue();
    }

    @Test
    void inputsAreNeverModifiedAndResultsShareNothing() {
        Map<String, Object> base = base();
        Map<String, Object> overlay = overlay();
        Map<String, Object> merged = MergeMode.DEEP_MERGE.merge(base, overlay);

        assertThat(base).isEqualTo(base());
        assertThat(overlay).isEqualTo(overlay());
        @SuppressWarnings("unchecked")
        Map<String, Object> memory = (Map<String, Object>) merged.get("memory");
        memory.put("memory_enabled", false);
        assertThat(base.get("memory")).isEqualTo(map("memory_enabled", true, "user_profile_enabled", true));
    }

    @Test
    void aMapReplacesAScalarAndAScalarReplacesAMap() {
        assertThat(MergeMode.DEEP_MERGE.merge(map("a", "x"), map("a", map("b", 1))))
                .isEqualTo(map("a", map("b", 1)));
        assertThat(MergeMode.DEEP_MERGE.merge(map("a", map("b", 1)), map("a", "x")))
                .isEqualTo(map("a", "x"));
    }

    @Test
    void nonStringKeysAreRejectedWithTheKey() {
        Map<Object, Object> bad = new HashMap<>();
        bad.put(42, "x");
        assertThatThrownBy(() -> MergeMode.DEEP_MERGE.merge(map("a", map("b", 1)), map("a", bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("42");
    }

    @Test
    void specValuesMapOneToOne() {
        assertThat(MergeMode.of(null)).isEqualTo(MergeMode.DEEP_MERGE);
        for (ConfigMergeMode specMode : ConfigMergeMode.values()) {
            MergeMode mode = MergeMode.of(specMode);
            assertThat(mode.specValue()).isEqualTo(specMode.wireValue());
            assertThat(MergeMode.fromSpecValue(specMode.wireValue())).contains(mode);
        }
        assertThat(MergeMode.fromSpecValue("deepmerge")).isEmpty();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
