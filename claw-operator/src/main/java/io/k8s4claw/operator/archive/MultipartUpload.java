package io.k8s4claw.operator.archive;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 multipart upload as an OutputStream: bytes are buffered up to the part size and each full buffer is sent
 * as the next part (each part retried by the SDK's retry strategy); {@link #close} sends the last part and
 * completes the upload, {@link #abort} discards it so no half-written object and no stored parts remain.
 */
final class MultipartUpload extends OutputStream {

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final byte[] buffer;
    private int filled;
    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private long bytes;
    private boolean closed;

    MultipartUpload(S3Client s3, String bucket, String key, int partSize) {
        if (partSize < VolumeArchive.MIN_PART_SIZE) {
            throw new IllegalArgumentException(
                    "part size " + partSize + " is below S3's minimum of " + VolumeArchive.MIN_PART_SIZE);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.buffer = new byte[partSize];
    }

    @Override
    public void write(int b) {
        if (filled == buffer.length) {
            sendPart();
        }
        buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            if (filled == buffer.length) {
                sendPart();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void sendPart() {
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType("application/gzip"))
                    .uploadId();
        }
        int number = parts.size() + 1;
        String etag = s3.uploadPart(
                        b -> b.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(number)
                                .contentLength((long) filled),
                        RequestBody.fromBytes(Arrays.copyOf(buffer, filled)))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        bytes += filled;
        filled = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sendPart();
        s3.completeMultipartUpload(
                b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    }

    /** Discards the upload's stored parts (best effort: the failure that caused it is what the caller reports). */
    void abort() {
        closed = true;
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException e) {
                // the bucket's lifecycle rule for incomplete uploads is the backstop
            }
        }
    }

    int parts() {
        return parts.size();
    }

    long bytes() {
        return bytes;
    }
}
