package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** When archival runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArchiveTrigger {

    /** Cron schedule of periodic archival scans. */
    @JsonPropertyDescription("Cron schedule of periodic archival scans.")
    @Required
    @Pattern(SchemaPatterns.CRON)
    private String schedule;

    /** Also archive on filesystem events when supported. */
    @JsonPropertyDescription("Also archive on filesystem events when supported.")
    @Default("true")
    private Boolean inotify;

    public ArchiveTrigger() {}

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public Boolean getInotify() {
        return inotify;
    }

    public void setInotify(Boolean inotify) {
        this.inotify = inotify;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ArchiveTrigger that = (ArchiveTrigger) o;
        return Objects.equals(schedule, that.schedule) && Objects.equals(inotify, that.inotify);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schedule, inotify);
    }

    @Override
    public String toString() {
        return "ArchiveTrigger{" + "schedule=" + schedule + ", " + "inotify=" + inotify + "}";
    }
}
