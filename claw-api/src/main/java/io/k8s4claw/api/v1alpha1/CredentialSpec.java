package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** Where the runtime's or channel's secrets come from. secretRef and externalSecret exclude each other. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.secretRef) && has(self.externalSecret))", message = ClawRules.CREDENTIALS_EXCLUSIVE)
@ValidationRule(
        value = "has(self.secretRef) || has(self.externalSecret) || (has(self.keys) && size(self.keys) > 0)",
        message = ClawRules.CREDENTIALS_EMPTY)
public class CredentialSpec {

    /** A Secret whose keys all become environment variables. */
    @JsonPropertyDescription("A Secret whose keys all become environment variables.")
    private LocalObjectRef secretRef;

    /** An ExternalSecret to create instead of naming a Secret: not supported yet, refused. */
    @JsonPropertyDescription(
            "An ExternalSecret to create instead of naming a Secret. Not supported yet: refused; create the "
                    + "ExternalSecret yourself and name its Secret in secretRef.")
    @ValidationRule(value = "false", message = NotSupportedYet.EXTERNAL_SECRET)
    private ExternalSecretRef externalSecret;

    /** Single environment variables from Secret keys; they win over secretRef. */
    @JsonPropertyDescription("Single environment variables from Secret keys; they win over secretRef.")
    @Size(max = 128)
    private List<KeyMapping> keys;

    public CredentialSpec() {}

    public LocalObjectRef getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalObjectRef secretRef) {
        this.secretRef = secretRef;
    }

    public ExternalSecretRef getExternalSecret() {
        return externalSecret;
    }

    public void setExternalSecret(ExternalSecretRef externalSecret) {
        this.externalSecret = externalSecret;
    }

    public List<KeyMapping> getKeys() {
        return keys;
    }

    public void setKeys(List<KeyMapping> keys) {
        this.keys = keys;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        CredentialSpec that = (CredentialSpec) o;
        return Objects.equals(secretRef, that.secretRef)
                && Objects.equals(externalSecret, that.externalSecret)
                && Objects.equals(keys, that.keys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secretRef, externalSecret, keys);
    }

    @Override
    public String toString() {
        return "CredentialSpec{" + "secretRef=" + secretRef + ", " + "externalSecret=" + externalSecret + ", " + "keys="
                + keys + "}";
    }
}
