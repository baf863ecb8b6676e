package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What an agent asks to change about its Claw (k8s4claw's wire shape; every group but {@code clawRef} optional). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.addSkills) || has(self.removeSkills) || has(self.configPatch) || has(self.addWorkspaceFiles)"
                + " || has(self.removeWorkspaceFiles) || has(self.addEnvVars) || has(self.removeEnvVars)",
        message = ClawRules.SELF_CONFIG_EMPTY)
@ValidationRule(
        value = "!has(self.addSkills) || !has(self.removeSkills) || !self.addSkills.exists(s, s in self.removeSkills)",
        message = ClawRules.SELF_CONFIG_SKILL_ADD_AND_REMOVE)
@ValidationRule(
        value = "!has(self.addEnvVars) || !has(self.removeEnvVars) || !self.addEnvVars.exists(e, e.name in "
                + "self.removeEnvVars)",
        message = ClawRules.SELF_CONFIG_ENV_ADD_AND_REMOVE)
public class ClawSelfConfigSpec {

    /** Name of the Claw (same namespace) to change. */
    @JsonPropertyDescription("Name of the Claw (same namespace) to change.")
    @Required
    @Size(max = 253)
    @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
    @ValidationRule(value = "self == oldSelf", message = ClawRules.SELF_CONFIG_CLAW_REF_IMMUTABLE)
    private String clawRef;

    /** Skills to install, by name in a skill catalog ConfigMap of the namespace. */
    @JsonPropertyDescription("Skills to install, by name in a skill catalog ConfigMap of the namespace.")
    @Size(max = 10)
    private List<@Size(max = 253) String> addSkills;

    /** Skills to remove, by name. */
    @JsonPropertyDescription("Skills to remove, by name.")
    @Size(max = 10)
    private List<@Size(max = 253) String> removeSkills;

    /** Runtime configuration keys (dotted paths into spec.config) to set; values are JSON or plain strings. */
    @JsonPropertyDescription(
            "Runtime configuration keys (dotted paths into spec.config) to set; values are JSON or plain strings.")
    private Map<String, String> configPatch;

    /** Workspace files to write (file name to content); not applied by this operator. */
    @JsonPropertyDescription("Workspace files to write (file name to content); not applied by this operator.")
    private Map<String, String> addWorkspaceFiles;

    /** Workspace files to remove; not applied by this operator. */
    @JsonPropertyDescription("Workspace files to remove; not applied by this operator.")
    @Size(max = 10)
    private List<@Size(max = 253) String> removeWorkspaceFiles;

    /** Environment variables to set on the runtime container. */
    @JsonPropertyDescription("Environment variables to set on the runtime container.")
    @Size(max = 10)
    private List<SelfConfigEnvVar> addEnvVars;

    /** Environment variables (set by earlier requests or the owner, plain values only) to remove. */
    @JsonPropertyDescription(
            "Environment variables (set by earlier requests or the owner, plain values only) to remove.")
    @Size(max = 10)
    private List<@Size(max = 253) String> removeEnvVars;

    public ClawSelfConfigSpec() {}

    public String getClawRef() {
        return clawRef;
    }

    public void setClawRef(String clawRef) {
        this.clawRef = clawRef;
    }

    public List<String> getAddSkills() {
        return addSkills;
    }

    public void setAddSkills(List<String> addSkills) {
        this.addSkills = addSkills;
    }

    public List<String> getRemoveSkills() {
        return removeSkills;
    }

    public void setRemoveSkills(List<String> removeSkills) {
        this.removeSkills = removeSkills;
    }

    public Map<String, String> getConfigPatch() {
        return configPatch;
    }

    public void setConfigPatch(Map<String, String> configPatch) {
        this.configPatch = configPatch;
    }

    public Map<String, String> getAddWorkspaceFiles() {
        return addWorkspaceFiles;
    }

    public void setAddWorkspaceFiles(Map<String, String> addWorkspaceFiles) {
        this.addWorkspaceFiles = addWorkspaceFiles;
    }

    public List<String> getRemoveWorkspaceFiles() {
        return removeWorkspaceFiles;
    }

    public void setRemoveWorkspaceFiles(List<String> removeWorkspaceFiles) {
        this.removeWorkspaceFiles = removeWorkspaceFiles;
    }

    public List<SelfConfigEnvVar> getAddEnvVars() {
        return addEnvVars;
    }

    public void setAddEnvVars(List<SelfConfigEnvVar> addEnvVars) {
        this.addEnvVars = addEnvVars;
    }

    public List<String> getRemoveEnvVars() {
        return removeEnvVars;
    }

    public void setRemoveEnvVars(List<String> removeEnvVars) {
        this.removeEnvVars = removeEnvVars;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ClawSelfConfigSpec that = (ClawSelfConfigSpec) o;
        return Objects.equals(clawRef, that.clawRef)
                && Objects.equals(addSkills, that.addSkills)
                && Objects.equals(removeSkills, that.removeSkills)
                && Objects.equals(configPatch, that.configPatch)
                && Objects.equals(addWorkspaceFiles, that.addWorkspaceFiles)
                && Objects.equals(removeWorkspaceFiles, that.removeWorkspaceFiles)
                && Objects.equals(addEnvVars, that.addEnvVars)
                && Objects.equals(removeEnvVars, that.removeEnvVars);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                clawRef,
                addSkills,
                removeSkills,
                configPatch,
                addWorkspaceFiles,
                removeWorkspaceFiles,
                addEnvVars,
                removeEnvVars);
    }

    @Override
    public String toString() {
        // values (config, files, env) stay out of logs: names only
        return "ClawSelfConfigSpec{clawRef=" + clawRef + ", addSkills=" + addSkills + ", removeSkills=" + removeSkills
                + ", configPatch=" + (configPatch == null ? null : configPatch.keySet())
                + ", addWorkspaceFiles=" + (addWorkspaceFiles == null ? null : addWorkspaceFiles.keySet())
                + ", removeWorkspaceFiles=" + removeWorkspaceFiles + ", addEnvVars=" + addEnvVars + ", removeEnvVars="
                + removeEnvVars + "}";
    }
}
