package io.k8s4claw.operator.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {

    @ParameterizedTest(name = "{0} after {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0 3 * * *        | 2026-12-01T02:59:00Z | 2026-12-01T03:00:00Z",
                "0 3 * * *        | 2026-12-01T03:00:00Z | 2026-12-02T03:00:00Z",
                "@daily           | 2026-12-31T23:59:30Z | 2027-01-01T00:00:00Z",
                "@hourly          | 2026-12-01T10:00:00Z | 2026-12-01T11:00:00Z",
                "*/15 * * * *     | 2026-12-01T10:07:00Z | 2026-12-01T10:15:00Z",
                "0 9-17/4 * * MON-FRI | 2026-12-05T12:00:00Z | 2026-12-07T09:00:00Z",
                "30 2 1 * *       | 2026-12-01T02:30:00Z | 2027-01-01T02:30:00Z",
                "0 0 29 2 *       | 2026-12-01T00:00:00Z | 2028-02-29T00:00:00Z",
                "0 0 13 * 5       | 2026-12-01T00:00:00Z | 2026-12-04T00:00:00Z",
                "0 0 ? * 7        | 2026-12-01T00:00:00Z | 2026-12-06T00:00:00Z",
                "0 4 * jan,jul sun | 2026-12-01T00:00:00Z | 2027-01-03T04:00:00Z",
            })
    void firesAtTheNextMatchingMinute(String expr, String after, String expected) {
        assertThat(CronSchedule.parse(expr.trim()).next(Instant.parse(after.trim())))
                .contains(Instant.parse(expected.trim()));
    }

    @Test
    void anExpressionThatNeverFiresHasNoNextTime() {
        assertThat(CronSchedule.parse("0 0 30 2 *").next(Instant.parse("2026-12-01T00:00:00Z")))
                .isEqualTo(Optional.empty());
    }

    @Test
    void refusesWithTheFieldAndWhy() {
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * *")).hasMessageContaining("has 4 fields");
        assertThatThrownBy(() -> CronSchedule.parse("60 3 * * *")).hasMessageContaining("minute field \"60\"");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 L * *")).hasMessageContaining("Quartz");
        assertThatThrownBy(() -> CronSchedule.parse("@fortnightly")).hasMessageContaining("unknown cron macro");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * * FOO")).hasMessageContaining("not a number or a name");
    }
}
