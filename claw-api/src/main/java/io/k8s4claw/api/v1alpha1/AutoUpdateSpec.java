package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Automatic version updates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoUpdateSpec {

    /** Check for and apply new versions. */
    @JsonPropertyDescription("Check for and apply new versions.")
    private Boolean enabled;

    /** Semver range of acceptable versions (e.g. ^2.0.0, ~1.x, >=1.2 <2). */
    @JsonPropertyDescription("Semver range of acceptable versions (e.g. ^2.0.0, ~1.x, >=1.2 <2).")
    @Pattern(SchemaPatterns.SEMVER_RANGE)
    private String versionConstraint;

    /** Cron schedule of version checks. */
    @JsonPropertyDescription("Cron schedule of version checks.")
    @Default("0 3 * * *")
    @Pattern(SchemaPatterns.CRON)
    private String schedule;

    /** How long a new version may take to become ready (2m..30m). */
    @JsonPropertyDescription("How long a new version may take to become ready (2m..30m).")
    @Default("10m")
    @Size(max = 32)
    @Pattern(SchemaPatterns.DURATION)
    @ValidationRule(
            value = "!self.matches('" + SchemaPatterns.DURATION
                    + "') || (duration(self) >= duration('2m') && duration(self) <= duration('30m'))",
            message = ClawRules.HEALTH_TIMEOUT_RANGE)
    private String healthTimeout;

    /** Consecutive rollbacks before the circuit opens. */
    @JsonPropertyDescription("Consecutive rollbacks before the circuit opens.")
    @Default("3")
    @Min(1)
    private Integer maxRollbacks;

    public AutoUpdateSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getVersionConstraint() {
        return versionConstraint;
    }

    public void setVersionConstraint(String versionConstraint) {
        this.versionConstraint = versionConstraint;
    }

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public String getHealthTimeout() {
        return healthTimeout;
    }

    public void setHealthTimeout(String healthTimeout) {
        this.healthTimeout = healthTimeout;
    }

    public Integer getMaxRollbacks() {
        return maxRollbacks;
    }

    public void setMaxRollbacks(Integer maxRollbacks) {
        this.maxRollbacks = maxRollbacks;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        AutoUpdateSpec that = (AutoUpdateSpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(versionConstraint, that.versionConstraint)
                && Objects.equals(schedule, that.schedule)
                && Objects.equals(healthTimeout, that.healthTimeout)
                && Objects.equals(maxRollbacks, that.maxRollbacks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, versionConstraint, schedule, healthTimeout, maxRollbacks);
    }

    @Override
    public String toString() {
        return "AutoUpdateSpec{" + "enabled=" + enabled + ", " + "versionConstraint=" + versionConstraint + ", "
                + "schedule=" + schedule + ", " + "healthTimeout=" + healthTimeout + ", " + "maxRollbacks="
                + maxRollbacks + "}";
    }
}
