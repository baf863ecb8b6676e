package io.k8s4claw.api.runtime;

/** The three persistent volumes of a Claw ({@code spec.persistence.session|workspace|output}). */
public enum VolumeRole {
    SESSION("session"),
    WORKSPACE("workspace"),
    OUTPUT("output");

    private final String specName;

    VolumeRole(String specName) {
        this.specName = specName;
    }

    /** The field name under {@code spec.persistence} and the default volumeClaimTemplate name. */
    public String specName() {
        return specName;
    }
}
