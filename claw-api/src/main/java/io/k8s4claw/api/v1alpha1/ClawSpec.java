package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Objects;

/** Desired state of a Claw. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.runtime != 'custom' || (has(self.custom) && has(self.custom.image))",
        message = ClawRules.CUSTOM_RUNTIME_IMAGE)
public class ClawSpec {

    /** Agent runtime; immutable after create. */
    @JsonPropertyDescription("Agent runtime; immutable after create.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = ClawRules.RUNTIME_IMMUTABLE)
    private RuntimeType runtime;

    /** Runtime configuration (free JSON), merged over the adapter's defaults. */
    @JsonPropertyDescription("Runtime configuration (free JSON), merged over the adapter's defaults.")
    @PreserveUnknownFields
    private JsonNode config;

    /** Where API keys and tokens come from. */
    @JsonPropertyDescription("Where API keys and tokens come from.")
    private CredentialSpec credentials;

    /** ClawChannels this Claw uses. */
    @JsonPropertyDescription("ClawChannels this Claw uses.")
    @Size(max = 32)
    @ValidationRule(
            value = "self.all(c, self.exists_one(d, d.name == c.name))",
            message = ClawRules.CHANNEL_NAMES_UNIQUE)
    private List<ChannelRef> channels;

    /** Storage. */
    @JsonPropertyDescription("Storage.")
    private PersistenceSpec persistence;

    /** Monitoring. */
    @JsonPropertyDescription("Monitoring.")
    private ObservabilitySpec observability;

    /** Security. */
    @JsonPropertyDescription("Security.")
    private SecuritySpec security;

    /** External HTTP access. */
    @JsonPropertyDescription("External HTTP access.")
    private IngressSpec ingress;

    /** Availability. */
    @JsonPropertyDescription("Availability.")
    private AvailabilitySpec availability;

    /** ServiceAccount. */
    @JsonPropertyDescription("ServiceAccount.")
    private ServiceAccountSpec serviceAccount;

    /** Agent self-configuration. */
    @JsonPropertyDescription("Agent self-configuration.")
    private SelfConfigureSpec selfConfigure;

    /** Automatic version updates. */
    @JsonPropertyDescription("Automatic version updates.")
    private AutoUpdateSpec autoUpdate;

    /** Runtime image override (added by this project). */
    @JsonPropertyDescription("Runtime image override (added by this project).")
    private ImageSpec image;

    /** Runtime container resources; the adapter's documented minimum when empty (added by this project). */
    @JsonPropertyDescription(
            "Runtime container resources; the adapter's documented minimum when empty (added by this project).")
    private ResourceRequirements resources;

    /** Extra environment variables of the runtime container (added by this project). */
    @JsonPropertyDescription("Extra environment variables of the runtime container (added by this project).")
    private List<EnvVar> env;

    /** How spec.config combines with the adapter's defaults (added by this project). */
    @JsonPropertyDescription("How spec.config combines with the adapter's defaults (added by this project).")
    @Default("DeepMerge")
    private ConfigMergeMode configMergeMode;

    /** IPC bridge settings (added by this project). */
    @JsonPropertyDescription("IPC bridge settings (added by this project).")
    private BridgeSpec bridge;

    /** Who restarts the runtime process (added by this project). */
    @JsonPropertyDescription("Who restarts the runtime process (added by this project).")
    @Default("kubernetes")
    private Supervisor supervisor;

    /** Skills installed at start (added by this project). */
    @JsonPropertyDescription("Skills installed at start (added by this project).")
    @Size(max = 256)
    @ValidationRule(value = "self.all(s, self.exists_one(t, t.name == s.name))", message = ClawRules.SKILL_NAMES_UNIQUE)
    private List<SkillSpec> skills;

    /** External database (added by this project). */
    @JsonPropertyDescription("External database (added by this project).")
    private DatabaseSpec database;

    /** Container of runtime custom (added by this project). */
    @JsonPropertyDescription("Container of runtime custom (added by this project).")
    private CustomRuntimeSpec custom;

    /** Pod termination grace; the adapter's default when empty (added by this project). */
    @JsonPropertyDescription("Pod termination grace; the adapter's default when empty (added by this project).")
    @Min(0)
    private Long terminationGracePeriodSeconds;

    /**
     * Scales the runtime to zero while keeping every claim, Secret and the bridge's log; false resumes with the
     * same state (added by this project).
     */
    @JsonPropertyDescription(
            "true scales the runtime to zero and keeps every claim, Secret and the bridge's log; false resumes with "
                    + "the same state (added by this project).")
    private Boolean suspended;

    public ClawSpec() {}

    public RuntimeType getRuntime() {
        return runtime;
    }

    public void setRuntime(RuntimeType runtime) {
        this.runtime = runtime;
    }

    public JsonNode getConfig() {
        return config;
    }

    public void setConfig(JsonNode config) {
        this.config = config;
    }

    public CredentialSpec getCredentials() {
        return credentials;
    }

    public void setCredentials(CredentialSpec credentials) {
        this.credentials = credentials;
    }

    public List<ChannelRef> getChannels() {
        return channels;
    }

    public void setChannels(List<ChannelRef> channels) {
        this.channels = channels;
    }

    public PersistenceSpec getPersistence() {
        return persistence;
    }

    public void setPersistence(PersistenceSpec persistence) {
        this.persistence = persistence;
    }

    public ObservabilitySpec getObservability() {
        return observability;
    }

    public void setObservability(ObservabilitySpec observability) {
        this.observability = observability;
    }

    public SecuritySpec getSecurity() {
        return security;
    }

    public void setSecurity(SecuritySpec security) {
        this.security = security;
    }

    public IngressSpec getIngress() {
        return ingress;
    }

    public void setIngress(IngressSpec ingress) {
        this.ingress = ingress;
    }

    public AvailabilitySpec getAvailability() {
        return availability;
    }

    public void setAvailability(AvailabilitySpec availability) {
        this.availability = availability;
    }

    public ServiceAccountSpec getServiceAccount() {
        return serviceAccount;
    }

    public void setServiceAccount(ServiceAccountSpec serviceAccount) {
        this.serviceAccount = serviceAccount;
    }

    public SelfConfigureSpec getSelfConfigure() {
        return selfConfigure;
    }

    public void setSelfConfigure(SelfConfigureSpec selfConfigure) {
        this.selfConfigure = selfConfigure;
    }

    public AutoUpdateSpec getAutoUpdate() {
        return autoUpdate;
    }

    public void setAutoUpdate(AutoUpdateSpec autoUpdate) {
        this.autoUpdate = autoUpdate;
    }

    public ImageSpec getImage() {
        return image;
    }

    public void setImage(ImageSpec image) {
        this.image = image;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public List<EnvVar> getEnv() {
        return env;
    }

    public void setEnv(List<EnvVar> env) {
        this.env = env;
    }

    public ConfigMergeMode getConfigMergeMode() {
        return configMergeMode;
    }

    public void setConfigMergeMode(ConfigMergeMode configMergeMode) {
        this.configMergeMode = configMergeMode;
    }

    public BridgeSpec getBridge() {
        return bridge;
    }

    public void setBridge(BridgeSpec bridge) {
        this.bridge = bridge;
    }

    public Supervisor getSupervisor() {
        return supervisor;
    }

    public void setSupervisor(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    public List<SkillSpec> getSkills() {
        return skills;
    }

    public void setSkills(List<SkillSpec> skills) {
        this.skills = skills;
    }

    public DatabaseSpec getDatabase() {
        return database;
    }

    public void setDatabase(DatabaseSpec database) {
        this.database = database;
    }

    public CustomRuntimeSpec getCustom() {
        return custom;
    }

    public void setCustom(CustomRuntimeSpec custom) {
        this.custom = custom;
    }

    public Long getTerminationGracePeriodSeconds() {
        return terminationGracePeriodSeconds;
    }

    public void setTerminationGracePeriodSeconds(Long terminationGracePeriodSeconds) {
        this.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
    }

    public Boolean getSuspended() {
        return suspended;
    }

    public void setSuspended(Boolean suspended) {
        this.suspended = suspended;
    }

    /** Whether {@code suspended} is set to true. */
    public boolean suspendedRequested() {
        return Boolean.TRUE.equals(suspended);
    }

    /** {@code configMergeMode}, or its default {@link ConfigMergeMode#DEEP_MERGE} when unset. */
    public ConfigMergeMode effectiveConfigMergeMode() {
        return configMergeMode == null ? ConfigMergeMode.DEEP_MERGE : configMergeMode;
    }

    /** {@code supervisor}, or its default {@link Supervisor#KUBERNETES} when unset. */
    public Supervisor effectiveSupervisor() {
        return supervisor == null ? Supervisor.KUBERNETES : supervisor;
    }

    /** {@code bridge.protocol}, or {@link BridgeProtocolSetting#AUTO} when unset. */
    public BridgeProtocolSetting effectiveBridgeProtocol() {
        return bridge == null || bridge.getProtocol() == null ? BridgeProtocolSetting.AUTO : bridge.getProtocol();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ClawSpec that = (ClawSpec) o;
        return Objects.equals(runtime, that.runtime)
                && Objects.equals(config, that.config)
                && Objects.equals(credentials, that.credentials)
                && Objects.equals(channels, that.channels)
                && Objects.equals(persistence, that.persistence)
                && Objects.equals(observability, that.observability)
                && Objects.equals(security, that.security)
                && Objects.equals(ingress, that.ingress)
                && Objects.equals(availability, that.availability)
                && Objects.equals(serviceAccount, that.serviceAccount)
                && Objects.equals(selfConfigure, that.selfConfigure)
                && Objects.equals(autoUpdate, that.autoUpdate)
                && Objects.equals(image, that.image)
                && Objects.equals(resources, that.resources)
                && Objects.equals(env, that.env)
                && Objects.equals(configMergeMode, that.configMergeMode)
                && Objects.equals(bridge, that.bridge)
                && Objects.equals(supervisor, that.supervisor)
                && Objects.equals(skills, that.skills)
                && Objects.equals(database, that.database)
                && Objects.equals(custom, that.custom)
                && Objects.equals(terminationGracePeriodSeconds, that.terminationGracePeriodSeconds)
                && Objects.equals(suspended, that.suspended);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                runtime,
                config,
                credentials,
                channels,
                persistence,
                observability,
                security,
                ingress,
                availability,
                serviceAccount,
                selfConfigure,
                autoUpdate,
                image,
                resources,
                env,
                configMergeMode,
                bridge,
                supervisor,
                skills,
                database,
                custom,
                terminationGracePeriodSeconds,
                suspended);
    }

    @Override
    public String toString() {
        return "ClawSpec{" + "runtime=" + runtime + ", " + "config=" + config + ", " + "credentials=" + credentials
                + ", " + "channels=" + channels + ", " + "persistence=" + persistence + ", " + "observability="
                + observability + ", " + "security=" + security + ", " + "ingress=" + ingress + ", " + "availability="
                + availability + ", " + "serviceAccount=" + serviceAccount + ", " + "selfConfigure=" + selfConfigure
                + ", " + "autoUpdate=" + autoUpdate + ", " + "image=" + image + ", " + "resources=" + resources + ", "
                + "env=" + env + ", " + "configMergeMode=" + configMergeMode + ", " + "bridge=" + bridge + ", "
                + "supervisor=" + supervisor + ", " + "skills=" + skills + ", " + "database=" + database + ", "
                + "custom=" + custom + ", " + "terminationGracePeriodSeconds=" + terminationGracePeriodSeconds + ", "
                + "suspended=" + suspended + "}";
    }
}
