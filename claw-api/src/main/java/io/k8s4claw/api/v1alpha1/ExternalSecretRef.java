package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** An ExternalSecret to create (needs external-secrets-operator). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalSecretRef {

    /** Provider, e.g. vault, aws, gcp. */
    @JsonPropertyDescription("Provider, e.g. vault, aws, gcp.")
    @Required
    private String provider;

    /** Name of the SecretStore or ClusterSecretStore. */
    @JsonPropertyDescription("Name of the SecretStore or ClusterSecretStore.")
    @Required
    private String store;

    /** Path of the secret within the provider. */
    @JsonPropertyDescription("Path of the secret within the provider.")
    @Required
    private String path;

    /** How often to sync, as a Go duration (e.g. 1h). */
    @JsonPropertyDescription("How often to sync, as a Go duration (e.g. 1h).")
    @Pattern(SchemaPatterns.DURATION)
    private String refreshInterval;

    public ExternalSecretRef() {}

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public String getStore() {
        return store;
    }

    public void setStore(String store) {
        this.store = store;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getRefreshInterval() {
        return refreshInterval;
    }

    public void setRefreshInterval(String refreshInterval) {
        this.refreshInterval = refreshInterval;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ExternalSecretRef that = (ExternalSecretRef) o;
        return Objects.equals(provider, that.provider)
                && Objects.equals(store, that.store)
                && Objects.equals(path, that.path)
                && Objects.equals(refreshInterval, that.refreshInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(provider, store, path, refreshInterval);
    }

    @Override
    public String toString() {
        return "ExternalSecretRef{" + "provider=" + provider + ", " + "store=" + store + ", " + "path=" + path + ", "
                + "refreshInterval=" + refreshInterval + "}";
    }
}
