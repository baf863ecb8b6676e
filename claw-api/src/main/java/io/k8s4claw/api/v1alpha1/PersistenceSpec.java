package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** Storage of a Claw. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.reclaimPolicy) || self.reclaimPolicy != 'Archive' || (has(self.output) && "
                + "has(self.output.archive))",
        message = ClawRules.ARCHIVE_NEEDS_DESTINATION)
@ValidationRule(
        value = "(has(self.output) && has(self.output.archive))"
                + " || ((!has(self.session) || !has(self.session.restoreFrom) || "
                + "!has(self.session.restoreFrom.archiveKey))"
                + " && (!has(self.workspace) || !has(self.workspace.restoreFrom) || "
                + "!has(self.workspace.restoreFrom.archiveKey))"
                + " && (!has(self.output) || !has(self.output.restoreFrom) || "
                + "!has(self.output.restoreFrom.archiveKey)))",
        message = ClawRules.RESTORE_ARCHIVE_NEEDS_DESTINATION)
public class PersistenceSpec {

    /** What happens to claims when the Claw is deleted. */
    @JsonPropertyDescription("What happens to claims when the Claw is deleted.")
    @Default("Retain")
    private ReclaimPolicy reclaimPolicy;

    /** Session state: conversation history, memory databases. */
    @JsonPropertyDescription("Session state: conversation history, memory databases.")
    private VolumeSpec session;

    /** Working files, skills, knowledge. */
    @JsonPropertyDescription("Working files, skills, knowledge.")
    private VolumeSpec workspace;

    /** Artifacts the agent produces. */
    @JsonPropertyDescription("Artifacts the agent produces.")
    private OutputVolumeSpec output;

    /** Existing claims to mount. */
    @JsonPropertyDescription("Existing claims to mount.")
    @Size(max = 32)
    private List<SharedVolumeRef> shared;

    /** Ephemeral cache. */
    @JsonPropertyDescription("Ephemeral cache.")
    private CacheSpec cache;

    public PersistenceSpec() {}

    public ReclaimPolicy getReclaimPolicy() {
        return reclaimPolicy;
    }

    public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) {
        this.reclaimPolicy = reclaimPolicy;
    }

    public VolumeSpec getSession() {
        return session;
    }

    public void setSession(VolumeSpec session) {
        this.session = session;
    }

    public VolumeSpec getWorkspace() {
        return workspace;
    }

    public void setWorkspace(VolumeSpec workspace) {
        this.workspace = workspace;
    }

    public OutputVolumeSpec getOutput() {
        return output;
    }

    public void setOutput(OutputVolumeSpec output) {
        this.output = output;
    }

    public List<SharedVolumeRef> getShared() {
        return shared;
    }

    public void setShared(List<SharedVolumeRef> shared) {
        this.shared = shared;
    }

    public CacheSpec getCache() {
        return cache;
    }

    public void setCache(CacheSpec cache) {
        this.cache = cache;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        PersistenceSpec that = (PersistenceSpec) o;
        return Objects.equals(reclaimPolicy, that.reclaimPolicy)
                && Objects.equals(session, that.session)
                && Objects.equals(workspace, that.workspace)
                && Objects.equals(output, that.output)
                && Objects.equals(shared, that.shared)
                && Objects.equals(cache, that.cache);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reclaimPolicy, session, workspace, output, shared, cache);
    }

    @Override
    public String toString() {
        return "PersistenceSpec{" + "reclaimPolicy=" + reclaimPolicy + ", " + "session=" + session + ", " + "workspace="
                + workspace + ", " + "output=" + output + ", " + "shared=" + shared + ", " + "cache=" + cache + "}";
    }
}
