package io.k8s4claw.api.v1alpha1;

/**
 * Regular expressions used both in the generated CRD ({@code pattern}) and by the Java validation, so the two agree.
 * They are RE2-compatible (what the Kubernetes API server evaluates) and mean the same in {@link java.util.regex}.
 */
public final class SchemaPatterns {

    /**
     * A Kubernetes quantity for storage: digits, optional fraction, optional binary (Ki..Ei) or decimal (k..E) suffix,
     * e.g. 5Gi.
     */
    public static final String QUANTITY = "^[0-9]+([.][0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

    /** A five-field cron expression or a macro such as @daily. */
    public static final String CRON = "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9*?,/LW#A-Za-z-]+"
            + "( +[0-9*?,/LW#A-Za-z-]+){4})$";

    /** A Go duration such as 90s, 10m or 1h30m. */
    public static final String DURATION = "^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$";

    /** A semver range: comparators (^, ~, >=, <, =, !=, x wildcards) joined by spaces, commas, hyphen ranges and ||. */
    public static final String SEMVER_RANGE =
            "^ *(\\^|~|>=|<=|>|<|=|!=)? *v?(\\*|[xX]|[0-9]+)(\\.(\\*|[xX]|[0-9]+)){0,2}(-[0-9A-Za-z.-]+)?"
                    + "(\\+[0-9A-Za-z.-]+)?(( +- +| *, *| +)(\\^|~|>=|<=|>|<|=|!=)? *v?(\\*|[xX]|[0-9]+)(\\.(\\*|"
                    + "[xX]|[0-9]+)){0,2}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?)*( *\\|\\| *(\\^|~|>=|<=|>|<|=|"
                    + "!=)? *v?(\\*|[xX]|[0-9]+)(\\.(\\*|[xX]|[0-9]+)){0,2}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?("
                    + "( +- +| *, *| +)(\\^|~|>=|<=|>|<|=|!=)? *v?(\\*|[xX]|[0-9]+)(\\.(\\*|[xX]|[0-9]+)){0,2}"
                    + "(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?)*)* *$";

    /** An RFC 1123 label: lower-case letters, digits and '-', starting and ending alphanumeric. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /** An environment variable name as Kubernetes accepts it. */
    public static final String ENV_NAME = "^[-._a-zA-Z][-._a-zA-Z0-9]*$";

    /** An absolute path. */
    public static final String ABS_PATH = "^/.*$";

    /** A fill ratio between 0 and 1 written as a decimal string, e.g. 0.8. */
    public static final String WATERMARK = "^(0([.][0-9]+)?|1([.]0+)?)$";

    /** An IPv4 or IPv6 CIDR block, e.g. 10.0.0.0/8. */
    public static final String CIDR =
            "^(([0-9]{1,3}[.]){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*/([0-9]|"
                    + "[1-9][0-9]|1[01][0-9]|12[0-8]))$";

    /** A lower-case DNS name, optionally with a leading wildcard label. */
    public static final String HOST = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** An RFC 1123 subdomain (names of cluster objects such as RuntimeClasses): lower-case labels joined by '.'. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** An http(s) URL with a host, e.g. https://s3.example.com or http://minio.storage:9000. */
    public static final String HTTP_URL = "^https?://[^\\s/]+(/\\S*)?$";

    /** A container image tag. */
    public static final String TAG = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

    /** A skill directory name: letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
    public static final String SKILL_NAME = "^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$";

    /** emptyDir medium: Memory or empty. */
    public static final String CACHE_MEDIUM = "^(Memory)?$";

    /** TCP, UDP or SCTP. */
    public static final String PORT_PROTOCOL = "^(TCP|UDP|SCTP)$";

    private SchemaPatterns() {}
}
