package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Observed state of the volumes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PersistenceStatus {

    /** Session volume. */
    @JsonPropertyDescription("Session volume.")
    private VolumeStatus session;

    /** Workspace volume. */
    @JsonPropertyDescription("Workspace volume.")
    private VolumeStatus workspace;

    /** Output volume. */
    @JsonPropertyDescription("Output volume.")
    private VolumeStatus output;

    public PersistenceStatus() {}

    public VolumeStatus getSession() {
        return session;
    }

    public void setSession(VolumeStatus session) {
        this.session = session;
    }

    public VolumeStatus getWorkspace() {
        return workspace;
    }

    public void setWorkspace(VolumeStatus workspace) {
        this.workspace = workspace;
    }

    public VolumeStatus getOutput() {
        return output;
    }

    public void setOutput(VolumeStatus output) {
        this.output = output;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        PersistenceStatus that = (PersistenceStatus) o;
        return Objects.equals(session, that.session)
                && Objects.equals(workspace, that.workspace)
                && Objects.equals(output, that.output);
    }

    @Override
    public int hashCode() {
        return Objects.hash(session, workspace, output);
    }

    @Override
    public String toString() {
        return "PersistenceStatus{" + "session=" + session + ", " + "workspace=" + workspace + ", " + "output=" + output
                + "}";
    }
}
