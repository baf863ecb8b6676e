package io.k8s4claw.operator.selfconfig;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a requested skill can come from: ConfigMaps of the Claw's namespace labelled
 * {@value #LABEL}{@code =true}, each key a skill name holding its SKILL.md. The namespace's admin curates them;
 * the agent can only pick from them, never hand in content of its own as a skill.
 *
 * @param sources skill name → ConfigMap that holds it (the first by ConfigMap name when several do)
 */
public record SkillCatalog(Map<String, String> sources) {

    /** Label that makes a ConfigMap a skill catalog. */
    public static final String LABEL = "claw.prismer.ai/skill-catalog";

    public SkillCatalog {
        sources = Map.copyOf(sources);
    }

    public static SkillCatalog of(List<ConfigMap> catalogs) {
        Map<String, String> sources = new TreeMap<>();
        catalogs.stream()
                .sorted(Comparator.comparing(c -> c.getMetadata().getName()))
                .forEach(c -> {
                    if (c.getData() != null) {
                        c.getData()
                                .keySet()
                                .forEach(k ->
                                        sources.putIfAbsent(k, c.getMetadata().getName()));
                    }
                });
        return new SkillCatalog(sources);
    }

    public Optional<String> configMapOf(String skill) {
        return Optional.ofNullable(sources.get(skill));
    }
}
