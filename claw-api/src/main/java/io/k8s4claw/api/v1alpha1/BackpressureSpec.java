package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Per-channel flow control. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.highWatermark) || !has(self.lowWatermark) || !self.highWatermark.matches('"
                + SchemaPatterns.WATERMARK + "') || !self.lowWatermark.matches('" + SchemaPatterns.WATERMARK
                + "') || double(self.lowWatermark) < double(self.highWatermark)",
        message = ClawRules.WATERMARK_ORDER)
public class BackpressureSpec {

    /** Buffer capacity in messages. */
    @JsonPropertyDescription("Buffer capacity in messages.")
    @Default("1024")
    @Min(1)
    @Max(1048576)
    private Integer bufferSize;

    /** Fill ratio (0..1) at which the channel is slowed. */
    @JsonPropertyDescription("Fill ratio (0..1) at which the channel is slowed.")
    @Default("0.8")
    @Size(max = 16)
    @Pattern(SchemaPatterns.WATERMARK)
    private String highWatermark;

    /** Fill ratio (0..1) at which it resumes; below highWatermark. */
    @JsonPropertyDescription("Fill ratio (0..1) at which it resumes; below highWatermark.")
    @Default("0.3")
    @Size(max = 16)
    @Pattern(SchemaPatterns.WATERMARK)
    private String lowWatermark;

    public BackpressureSpec() {}

    public Integer getBufferSize() {
        return bufferSize;
    }

    public void setBufferSize(Integer bufferSize) {
        this.bufferSize = bufferSize;
    }

    public String getHighWatermark() {
        return highWatermark;
    }

    public void setHighWatermark(String highWatermark) {
        this.highWatermark = highWatermark;
    }

    public String getLowWatermark() {
        return lowWatermark;
    }

    public void setLowWatermark(String lowWatermark) {
        this.lowWatermark = lowWatermark;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        BackpressureSpec that = (BackpressureSpec) o;
        return Objects.equals(bufferSize, that.bufferSize)
                && Objects.equals(highWatermark, that.highWatermark)
                && Objects.equals(lowWatermark, that.lowWatermark);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bufferSize, highWatermark, lowWatermark);
    }

    @Override
    public String toString() {
        return "BackpressureSpec{" + "bufferSize=" + bufferSize + ", " + "highWatermark=" + highWatermark + ", "
                + "lowWatermark=" + lowWatermark + "}";
    }
}
