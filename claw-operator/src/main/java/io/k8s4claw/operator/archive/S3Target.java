package io.k8s4claw.operator.archive;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Where archives go: an S3-compatible endpoint (AWS S3 when {@code endpoint} is null; MinIO, SeaweedFS, R2, … with
 * theirs), a region (AWS needs the bucket's; most others accept any, {@code us-east-1} by convention), path-style
 * addressing (MinIO and SeaweedFS without wildcard DNS need it) and the bucket. Credentials come from the
 * environment ({@value #ACCESS_KEY_ENV}, {@value #SECRET_KEY_ENV}), which the archive Job fills from the
 * destination's Secret: never from a command line.
 */
public record S3Target(URI endpoint, String region, boolean pathStyle, String bucket) {

    public static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
    public static final String DEFAULT_REGION = "us-east-1";

    public S3Target {
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    /** A client with the credentials in {@code env}; it fails before any request when they are missing. */
    public S3Client client(Map<String, String> env) {
        String accessKey = env.get(ACCESS_KEY_ENV);
        String secretKey = env.get(SECRET_KEY_ENV);
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new ArchiveException(
                    ArchiveException.Kind.CREDENTIALS,
                    "no object-storage credentials: set " + ACCESS_KEY_ENV + " and " + SECRET_KEY_ENV
                            + " (the archive Secret's keys of these names)");
        }
        var builder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                // The SDK's standard retries (3 attempts, backoff with jitter) for a part that failed on the wire.
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .build())
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(pathStyle)
                        .build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }
}
