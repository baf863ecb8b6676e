package io.k8s4claw.api.validation;

import io.k8s4claw.api.v1alpha1.SchemaPatterns;
import java.util.Locale;

/** Turns "does not match pattern X" into a sentence a user can act on, with a suggestion where one is obvious. */
final class PatternMessages {

    private PatternMessages() {}

    static String explain(String pattern, String value) {
        String quoted = "\"" + value + "\"";
        if (pattern.equals(SchemaPatterns.QUANTITY)) {
            return quoted + " is not a Kubernetes quantity "
                    + Quantities.suggest(value).map(s -> "(try " + s + ")").orElse("(write e.g. 5Gi, 500Mi or 1Ti)");
        }
        if (pattern.equals(SchemaPatterns.CRON)) {
            return quoted + " is not a cron schedule: use five fields (minute hour day-of-month month day-of-week,"
                    + " e.g. \"0 3 * * *\") or a macro such as @daily";
        }
        if (pattern.equals(SchemaPatterns.DURATION)) {
            return quoted + " is not a duration: use Go duration syntax such as 90s, 10m or 1h30m";
        }
        if (pattern.equals(SchemaPatterns.SEMVER_RANGE)) {
            return quoted + " is not a semver range: write e.g. ^2.0.0, ~1.4, 1.x or >=1.2.0 <2.0.0";
        }
        if (pattern.equals(SchemaPatterns.DNS_LABEL)) {
            String suggestion =
                    value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
            return quoted + " is not a valid name: use lower-case letters, digits and '-', starting and ending"
                    + " with a letter or digit"
                    + (suggestion.isEmpty() || suggestion.equals(value) ? "" : " (try " + suggestion + ")");
        }
        if (pattern.equals(SchemaPatterns.ENV_NAME)) {
            return quoted + " is not a valid environment variable name: use letters, digits, '_', '-' and '.',"
                    + " not starting with a digit";
        }
        if (pattern.equals(SchemaPatterns.ABS_PATH)) {
            return quoted + " must be an absolute path (try /" + value.replaceAll("^[./]+", "") + ")";
        }
        if (pattern.equals(SchemaPatterns.CIDR)) {
            boolean bareIpv4 = value.matches("^([0-9]{1,3}[.]){3}[0-9]{1,3}$");
            return quoted + " is not a CIDR block: write an address with a prefix length such as 10.0.0.0/8"
                    + (bareIpv4 ? " (for this single address: " + value + "/32)" : "");
        }
        if (pattern.equals(SchemaPatterns.WATERMARK)) {
            return quoted + " is not a fill ratio: write a decimal between 0 and 1 such as \"0.8\"";
        }
        if (pattern.equals(SchemaPatterns.HOST)) {
            String lower = value.toLowerCase(Locale.ROOT);
            return quoted + " is not a valid host name: use a lower-case DNS name"
                    + (!lower.equals(value) && lower.matches(SchemaPatterns.HOST)
                            ? " (try " + lower + ")"
                            : " such as agent.example.com");
        }
        if (pattern.equals(SchemaPatterns.DNS_SUBDOMAIN)) {
            String suggestion = value.toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9.-]", "-")
                    .replaceAll("^[-.]+|[-.]+$", "");
            return quoted
                    + " is not a valid object name: use lower-case letters, digits, '-' and '.', starting and ending"
                    + " with a letter or digit"
                    + (suggestion.isEmpty() || suggestion.equals(value) ? "" : " (try " + suggestion + ")");
        }
        if (pattern.equals(SchemaPatterns.HTTP_URL)) {
            return quoted
                    + " is not an http(s) URL: write e.g. https://s3.eu-central-1.amazonaws.com or "
                    + "http://minio.storage:9000";
        }
        if (pattern.equals(SchemaPatterns.TAG)) {
            return quoted + " is not a valid image tag: letters, digits, '_', '.' and '-', at most 128 characters,"
                    + " not starting with '.' or '-'";
        }
        if (pattern.equals(SchemaPatterns.SKILL_NAME)) {
            return quoted + " is not a valid skill name: letters, digits, '-', '_' and '.', starting and ending"
                    + " with a letter or digit";
        }
        if (pattern.equals(SchemaPatterns.CACHE_MEDIUM)) {
            return quoted + " is not an emptyDir medium: use Memory (tmpfs) or \"\" (node disk)";
        }
        if (pattern.equals(SchemaPatterns.PORT_PROTOCOL)) {
            return quoted + " is not a port protocol: use TCP, UDP or SCTP";
        }
        return quoted + " does not match " + pattern;
    }
}
