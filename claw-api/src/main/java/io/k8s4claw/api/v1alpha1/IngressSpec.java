package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;
import java.util.Objects;

/** External HTTP access. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IngressSpec {

    /** Whether the Ingress is created: true or false. */
    @JsonPropertyDescription("Whether the Ingress is created: true or false.")
    @Required
    private Boolean enabled;

    /** Host name of the Ingress rule. */
    @JsonPropertyDescription("Host name of the Ingress rule.")
    @Required
    @Pattern(SchemaPatterns.HOST)
    private String host;

    /** IngressClass name. */
    @JsonPropertyDescription("IngressClass name.")
    private String className;

    /** TLS termination. */
    @JsonPropertyDescription("TLS termination.")
    private IngressTLS tls;

    /** Basic auth. */
    @JsonPropertyDescription("Basic auth.")
    private BasicAuthSpec basicAuth;

    /** Extra annotations on the Ingress. */
    @JsonPropertyDescription("Extra annotations on the Ingress.")
    private Map<String, String> annotations;

    public IngressSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public String getClassName() {
        return className;
    }

    public void setClassName(String className) {
        this.className = className;
    }

    public IngressTLS getTls() {
        return tls;
    }

    public void setTls(IngressTLS tls) {
        this.tls = tls;
    }

    public BasicAuthSpec getBasicAuth() {
        return basicAuth;
    }

    public void setBasicAuth(BasicAuthSpec basicAuth) {
        this.basicAuth = basicAuth;
    }

    public Map<String, String> getAnnotations() {
        return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        IngressSpec that = (IngressSpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(host, that.host)
                && Objects.equals(className, that.className)
                && Objects.equals(tls, that.tls)
                && Objects.equals(basicAuth, that.basicAuth)
                && Objects.equals(annotations, that.annotations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, host, className, tls, basicAuth, annotations);
    }

    @Override
    public String toString() {
        return "IngressSpec{" + "enabled=" + enabled + ", " + "host=" + host + ", " + "className=" + className + ", "
                + "tls=" + tls + ", " + "basicAuth=" + basicAuth + ", " + "annotations=" + annotations + "}";
    }
}
