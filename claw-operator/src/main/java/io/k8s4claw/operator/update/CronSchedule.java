package io.k8s4claw.operator.update;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code spec.autoUpdate.schedule}: a standard five-field cron expression (minute hour day-of-month month day-of-week)
 * read as k8s4claw's Go operator reads it (robfig/cron's standard parser): {@code *}, {@code ?} (same as {@code *}),
 * lists, ranges, steps, month and weekday names, Sunday as 0 or 7, and the macros {@code @yearly}, {@code @annually},
 * {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight}, {@code @hourly}. When both day fields are
 * restricted a day matching either one matches (Vixie cron); when one of them is {@code *} both must match.
 * Times are UTC. Quartz's {@code L}, {@code W} and {@code #} are refused with a message, not ignored.
 */
public final class CronSchedule {

    private static final Map<String, String> MACROS = Map.of(
            "@yearly",
            "0 0 1 1 *",
            "@annually",
            "0 0 1 1 *",
            "@monthly",
            "0 0 1 * *",
            "@weekly",
            "0 0 * * 0",
            "@daily",
            "0 0 * * *",
            "@midnight",
            "0 0 * * *",
            "@hourly",
            "0 * * * *");
    private static final List<String> MONTHS =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /**
     * Longer than any gap between two firings of a satisfiable expression (29 February on a given weekday: 28 years).
     */
    private static final long SEARCH_YEARS = 30;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domStar;
    private final boolean dowStar;

    private CronSchedule(String text, BitSet[] fields, boolean domStar, boolean dowStar) {
        this.text = text;
        this.minutes = fields[0];
        this.hours = fields[1];
        this.daysOfMonth = fields[2];
        this.months = fields[3];
        this.daysOfWeek = fields[4];
        this.domStar = domStar;
        this.dowStar = dowStar;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException saying which field is wrong and why
     */
    public static CronSchedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                    "empty cron expression; use five fields such as \"0 3 * * *\" (03:00 UTC daily)");
        }
        String expr = text.trim();
        if (expr.startsWith("@")) {
            String macro = MACROS.get(expr.toLowerCase(Locale.ROOT));
            if (macro == null) {
                throw new IllegalArgumentException("unknown cron macro " + expr
                        + "; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
            }
            expr = macro;
        }
        String[] f = expr.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("cron expression \"" + text + "\" has " + f.length
                    + " fields; use five: minute hour day-of-month month day-of-week");
        }
        BitSet[] fields = {
            field(f[0], "minute", 0, 59, List.of()),
            field(f[1], "hour", 0, 23, List.of()),
            field(f[2], "day-of-month", 1, 31, List.of()),
            field(f[3], "month", 1, 12, MONTHS),
            field(f[4], "day-of-week", 0, 7, DAYS)
        };
        if (fields[4].get(7)) {
            fields[4].set(0);
            fields[4].clear(7);
        }
        return new CronSchedule(
                text,
                fields,
                f[2].startsWith("*") || f[2].startsWith("?"),
                f[4].startsWith("*") || f[4].startsWith("?"));
    }

    private static BitSet field(String spec, String name, int min, int max, List<String> names) {
        BitSet bits = new BitSet();
        for (String part : spec.split(",", -1)) {
            if (part.matches(".*[LW#].*")
                    && !names.contains(part.toUpperCase(Locale.ROOT))
                    && !part.toUpperCase(Locale.ROOT).matches("[A-Z]{3}(-[A-Z]{3})?(/\\d+)?")) {
                throw new IllegalArgumentException(name + " field \"" + spec
                        + "\": L, W and # (Quartz syntax) are not supported; list the days instead");
            }
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, spec, List.of());
                if (step < 1) {
                    throw new IllegalArgumentException(name + " field \"" + spec + "\": a step must be at least 1");
                }
            }
            int lo;
            int hi;
            if (range.equals("*") || range.equals("?")) {
                lo = min;
                hi = max == 7 ? 6 : max;
            } else {
                int dash = range.indexOf('-');
                if (dash > 0) {
                    lo = number(range.substring(0, dash), name, spec, names);
                    hi = number(range.substring(dash + 1), name, spec, names);
                } else {
                    lo = number(range, name, spec, names);
                    hi = slash >= 0 ? (max == 7 ? 6 : max) : lo;
                }
            }
            if (lo < min || hi > max || lo > hi) {
                throw new IllegalArgumentException(
                        name + " field \"" + spec + "\": " + lo + "-" + hi + " is outside " + min + "-" + max);
            }
            for (int i = lo; i <= hi; i += step) {
                bits.set(i);
            }
        }
        return bits;
    }

    private static int number(String s, String name, String spec, List<String> names) {
        int i = names.indexOf(s.toUpperCase(Locale.ROOT));
        if (i >= 0) {
            return names == MONTHS ? i + 1 : i;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " field \"" + spec + "\": \"" + s + "\" is not a number"
                    + (names.isEmpty() ? "" : " or a name " + names));
        }
    }

    /** The first firing strictly after {@code after} (UTC), or empty when the expression never fires (30 February). */
    public Optional<Instant> next(Instant after) {
        ZonedDateTime t =
                after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.withHour(0).withMinute(0).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.withMinute(0).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return Optional.of(t.toInstant());
            }
        }
        return Optional.empty();
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        return domStar || dowStar ? dom && dow : dom || dow;
    }

    @Override
    public String toString() {
        return text;
    }
}
