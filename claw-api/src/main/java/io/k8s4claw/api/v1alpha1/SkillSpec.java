package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** A skill (SKILL.md) installed into the runtime's skills directory (added by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.configMapRef) != has(self.inline)", message = ClawRules.SKILL_SOURCE_EXCLUSIVE)
public class SkillSpec {

    /** Skill directory name. */
    @JsonPropertyDescription("Skill directory name.")
    @Required
    @Size(max = 63)
    @Pattern(SchemaPatterns.SKILL_NAME)
    private String name;

    /** ConfigMap key holding the SKILL.md. */
    @JsonPropertyDescription("ConfigMap key holding the SKILL.md.")
    private KeySelector configMapRef;

    /** SKILL.md content inline. */
    @JsonPropertyDescription("SKILL.md content inline.")
    private String inline;

    public SkillSpec() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public KeySelector getConfigMapRef() {
        return configMapRef;
    }

    public void setConfigMapRef(KeySelector configMapRef) {
        this.configMapRef = configMapRef;
    }

    public String getInline() {
        return inline;
    }

    public void setInline(String inline) {
        this.inline = inline;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SkillSpec that = (SkillSpec) o;
        return Objects.equals(name, that.name)
                && Objects.equals(configMapRef, that.configMapRef)
                && Objects.equals(inline, that.inline);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, configMapRef, inline);
    }

    @Override
    public String toString() {
        return "SkillSpec{" + "name=" + name + ", " + "configMapRef=" + configMapRef + ", " + "inline=" + inline + "}";
    }
}
